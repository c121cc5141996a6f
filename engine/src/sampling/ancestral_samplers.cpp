// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/ancestral_samplers.h"

#include <algorithm>
#include <cmath>

namespace ldm {

DdpmSampler::DdpmSampler(const NoiseSchedule& schedule, int steps)
{
    const int64_t total = schedule.timesteps();
    const int64_t stride = std::max<int64_t>(1, total / steps);
    double alphaBarPrev = 1.0;
    for (int64_t t = 0; t < total; t += stride) {
        const double alphaBar = schedule.alphaBar(t);
        const double beta = 1.0 - alphaBar / alphaBarPrev;
        const double variance = beta * (1.0 - alphaBarPrev) / (1.0 - alphaBar);
        Step step;
        step.t = t;
        step.sqrtRecipAlphaBar = float(std::sqrt(1.0 / alphaBar));
        step.sqrtRecipM1AlphaBar = float(std::sqrt(1.0 / alphaBar - 1.0));
        step.meanCoef1 = float(beta * std::sqrt(alphaBarPrev) / (1.0 - alphaBar));
        step.meanCoef2 = float((1.0 - alphaBarPrev) * std::sqrt(1.0 - beta) / (1.0 - alphaBar));
        step.noiseScale = float(std::exp(0.5 * std::log(std::max(variance, 1e-20))));
        m_steps.push_back(step);
        alphaBarPrev = alphaBar;
    }
}

std::vector<int64_t> DdpmSampler::timesteps() const
{
    std::vector<int64_t> out;
    for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it)
        out.push_back(it->t);
    return out;
}

std::optional<torch::Tensor> DdpmSampler::sample(torch::Tensor xT, const EpsModel& model,
                                                 const NoiseSource& noise,
                                                 const StepObserver& observer, int firstStep) const
{
    torch::Tensor x = std::move(xT);
    const int total = static_cast<int>(m_steps.size());
    for (int k = std::max(firstStep, 0); k < total; ++k) {
        const Step& s = m_steps[static_cast<size_t>(total - 1 - k)];
        const torch::Tensor eps = model(x, s.t);
        torch::Tensor predX0 = x * s.sqrtRecipAlphaBar - eps * s.sqrtRecipM1AlphaBar;
        x = predX0 * s.meanCoef1 + x * s.meanCoef2;
        if (s.t != 0)
            x = x + noise(k, x.sizes()).to(x.device(), x.scalar_type()) * s.noiseScale;
        if (observer && !observer(SamplerStep{k, total, s.t, x, predX0}))
            return std::nullopt;
    }
    return x;
}

DpmSolverPlusPlus2MSampler::DpmSolverPlusPlus2MSampler(const NoiseSchedule& schedule, int steps)
{
    const auto ascending = ddimTimesteps(schedule.timesteps(), steps);
    for (auto it = ascending.rbegin(); it != ascending.rend(); ++it) {
        m_timesteps.push_back(*it);
        m_alphaBar.push_back(schedule.alphaBar(*it));
    }
}

std::vector<int64_t> DpmSolverPlusPlus2MSampler::timesteps() const
{
    return m_timesteps;
}

std::optional<torch::Tensor> DpmSolverPlusPlus2MSampler::sample(torch::Tensor xT,
                                                                const EpsModel& model,
                                                                const NoiseSource& /*noise*/,
                                                                const StepObserver& observer, int firstStep) const
{
    // In VP form: α = √ᾱ, σ = √(1−ᾱ), λ = log(α/σ). Update from t to s with h = λ_s − λ_t:
    // x_s = (σ_s/σ_t)·x_t − α_s·(e^{−h} − 1)·D, D = x̂0 or its 2nd-order blend with the last x̂0.
    torch::Tensor x = std::move(xT);
    torch::Tensor previousX0;
    double previousH = 0.0;
    const int total = static_cast<int>(m_timesteps.size());
    for (int k = std::max(firstStep, 0); k < total; ++k) {
        const double alphaBar = m_alphaBar[k];
        const double alpha = std::sqrt(alphaBar);
        const double sigma = std::sqrt(1.0 - alphaBar);
        const torch::Tensor eps = model(x, m_timesteps[k]);
        const torch::Tensor predX0 = (x - eps * sigma) / alpha;
        if (k == total - 1) {
            x = predX0; // σ_next = 0: the clean latent
        } else {
            const double alphaBarNext = m_alphaBar[k + 1];
            const double alphaNext = std::sqrt(alphaBarNext);
            const double sigmaNext = std::sqrt(1.0 - alphaBarNext);
            const double h = std::log(alphaNext / sigmaNext) - std::log(alpha / sigma);
            torch::Tensor denoised = predX0;
            if (previousX0.defined()) {
                const double r = previousH / h;
                denoised = predX0 * (1.0 + 1.0 / (2.0 * r)) - previousX0 * (1.0 / (2.0 * r));
            }
            x = x * (sigmaNext / sigma) - denoised * (alphaNext * std::expm1(-h));
            previousH = h;
        }
        previousX0 = predX0;
        if (observer && !observer(SamplerStep{k, total, m_timesteps[k], x, predX0}))
            return std::nullopt;
    }
    return x;
}

} // namespace ldm
