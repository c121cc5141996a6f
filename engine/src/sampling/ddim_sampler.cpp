// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/ddim_sampler.h"

#include <algorithm>
#include <cmath>
#include <deque>

namespace ldm {

DdimTable DdimTable::build(const NoiseSchedule& schedule, const std::vector<int64_t>& timesteps,
                           double eta)
{
    DdimTable table;
    table.timesteps = timesteps;
    for (size_t i = 0; i < timesteps.size(); ++i) {
        const float a = schedule.alphaBar(timesteps[i]);
        // The reference starts alphas_prev with ᾱ[0] (timestep 0), not with 1.
        const float aPrev = schedule.alphaBar(i == 0 ? 0 : timesteps[i - 1]);
        const double sigma = eta * std::sqrt((1.0 - double(aPrev)) / (1.0 - double(a)) *
                                             (1.0 - double(a) / double(aPrev)));
        table.alphas.push_back(a);
        table.alphasPrev.push_back(aPrev);
        table.sigmas.push_back(static_cast<float>(sigma));
        table.sqrtOneMinusAlphas.push_back(std::sqrt(1.0f - a));
    }
    return table;
}

DdimSampler::DdimSampler(const NoiseSchedule& schedule, int steps, double eta)
    : m_table(DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), eta))
{
}

std::vector<int64_t> DdimSampler::timesteps() const
{
    return {m_table.timesteps.rbegin(), m_table.timesteps.rend()};
}

std::pair<torch::Tensor, torch::Tensor> DdimSampler::step(const DdimTable& table, int index,
                                                          const torch::Tensor& x,
                                                          const torch::Tensor& eps,
                                                          const torch::Tensor& noise)
{
    // Scalars stay float32, as the reference's torch.full((b,1,1,1), value) tensors are.
    const float a = table.alphas[index];
    const float aPrev = table.alphasPrev[index];
    const float sigma = table.sigmas[index];
    const float sqrtOneMinusA = table.sqrtOneMinusAlphas[index];
    const float dirCoef = std::sqrt(1.0f - aPrev - sigma * sigma);

    torch::Tensor predX0 = (x - eps * sqrtOneMinusA) / std::sqrt(a);
    torch::Tensor xPrev = predX0 * std::sqrt(aPrev) + eps * dirCoef;
    if (sigma != 0.0f && noise.defined())
        xPrev = xPrev + noise * sigma;
    return {xPrev, predX0};
}

std::optional<torch::Tensor> DdimSampler::sample(torch::Tensor xT, const EpsModel& model,
                                                 const NoiseSource& noise,
                                                 const StepObserver& observer, int firstStep) const
{
    torch::Tensor x = std::move(xT);
    const int total = m_table.size();
    for (int k = std::max(firstStep, 0); k < total; ++k) {
        const int index = total - 1 - k;
        const int64_t t = m_table.timesteps[index];
        const torch::Tensor eps = model(x, t);
        torch::Tensor stepNoise;
        if (m_table.sigmas[index] != 0.0f)
            stepNoise = noise(k, x.sizes()).to(x.device(), x.scalar_type());
        auto [next, predX0] = step(m_table, index, x, eps, stepNoise);
        x = next;
        if (observer && !observer(SamplerStep{k, total, t, x, predX0}))
            return std::nullopt;
    }
    return x;
}

PlmsSampler::PlmsSampler(const NoiseSchedule& schedule, int steps)
    : m_table(DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), 0.0))
{
}

std::vector<int64_t> PlmsSampler::timesteps() const
{
    return {m_table.timesteps.rbegin(), m_table.timesteps.rend()};
}

std::optional<torch::Tensor> PlmsSampler::sample(torch::Tensor xT, const EpsModel& model,
                                                 const NoiseSource& /*noise*/,
                                                 const StepObserver& observer, int firstStep) const
{
    torch::Tensor x = std::move(xT);
    const int total = m_table.size();
    std::deque<torch::Tensor> oldEps; // unblended ε of previous steps, newest last, at most 3
    for (int k = std::max(firstStep, 0); k < total; ++k) {
        const int index = total - 1 - k;
        const int64_t t = m_table.timesteps[index];
        // The next lower timestep; the last step reuses its own.
        const int64_t tNext = m_table.timesteps[std::max(index - 1, 0)];
        const torch::Tensor eps = model(x, t);
        torch::Tensor epsPrime;
        if (oldEps.empty()) {
            auto [xNext, unused] = DdimSampler::step(m_table, index, x, eps, {});
            const torch::Tensor epsNext = model(xNext, tNext);
            epsPrime = (eps + epsNext) / 2;
        } else if (oldEps.size() == 1) {
            epsPrime = (3 * eps - oldEps[0]) / 2;
        } else if (oldEps.size() == 2) {
            epsPrime = (23 * eps - 16 * oldEps[1] + 5 * oldEps[0]) / 12;
        } else {
            epsPrime = (55 * eps - 59 * oldEps[2] + 37 * oldEps[1] - 9 * oldEps[0]) / 24;
        }
        auto [next, predX0] = DdimSampler::step(m_table, index, x, epsPrime, {});
        x = next;
        oldEps.push_back(eps);
        if (oldEps.size() > 3)
            oldEps.pop_front();
        if (observer && !observer(SamplerStep{k, total, t, x, predX0}))
            return std::nullopt;
    }
    return x;
}

} // namespace ldm
