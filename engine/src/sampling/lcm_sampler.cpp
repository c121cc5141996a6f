// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/lcm_sampler.h"

#include <algorithm>
#include <cmath>

namespace ldm {
namespace {

/// Grid points LCM models are distilled on (A1111's "LCM Original Timesteps").
constexpr int64_t GridPoints = 50;
constexpr float SigmaData = 0.5f;     ///< LCM's boundary condition
constexpr float TimestepScale = 10.0f;

torch::Tensor appendZero(const torch::Tensor& sigmas)
{
    return torch::cat({sigmas.to(torch::kFloat32), torch::zeros({1}, torch::kFloat32)});
}

} // namespace

LcmSampler::LcmSampler(const NoiseSchedule& schedule, torch::Tensor sigmas)
    : m_skip(std::max<int64_t>(1, schedule.timesteps() / GridPoints))
{
    // Grid point k is timestep T − 1 − (49 − k)·skip (19, 39, …, 999 for T = 1000), with σ as
    // k-diffusion computes it from ᾱ, in float32.
    const torch::Tensor acp = schedule.alphasCumprod().to(torch::kFloat32);
    const int64_t last = schedule.timesteps() - 1;
    std::vector<int64_t> at(GridPoints);
    for (int64_t k = 0; k < GridPoints; ++k)
        at[size_t(k)] = std::max<int64_t>(0, last - (GridPoints - 1 - k) * m_skip);
    const torch::Tensor grid = acp.index_select(0, torch::tensor(at, torch::kLong));
    const torch::Tensor gridSigmas = ((1 - grid) / grid).pow(0.5).contiguous();
    const torch::Tensor gridLog = gridSigmas.log().contiguous();
    m_gridSigmas.assign(gridSigmas.data_ptr<float>(), gridSigmas.data_ptr<float>() + GridPoints);
    m_gridLogSigmas.assign(gridLog.data_ptr<float>(), gridLog.data_ptr<float>() + GridPoints);
    m_gridLogTensor = gridLog;
    const torch::Tensor values = sigmas.to(torch::kCPU, torch::kFloat32).contiguous();
    m_sigmas.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

int64_t LcmSampler::gridTimestep(float sigma) const
{
    const float logSigma = std::log(sigma);
    size_t best = 0;
    for (size_t k = 1; k < m_gridLogSigmas.size(); ++k)
        if (std::fabs(logSigma - m_gridLogSigmas[k]) < std::fabs(logSigma - m_gridLogSigmas[best]))
            best = k; // strictly nearer: ties keep the first, as argmin does
    return int64_t(best) * m_skip + (m_skip - 1);
}

torch::Tensor LcmSampler::sigmasAt(const torch::Tensor& t) const
{
    const torch::Tensor index =
        ((t.to(torch::kFloat32) - float(m_skip - 1)) / float(m_skip)).clamp(0, GridPoints - 1);
    const torch::Tensor low = index.floor().to(torch::kLong);
    const torch::Tensor high = index.ceil().to(torch::kLong);
    const torch::Tensor w = index.frac();
    return ((1 - w) * m_gridLogTensor.index_select(0, low) +
            w * m_gridLogTensor.index_select(0, high))
        .exp();
}

std::vector<int64_t> LcmSampler::timesteps() const
{
    std::vector<int64_t> out;
    for (size_t i = 0; i + 1 < m_sigmas.size(); ++i)
        out.push_back(gridTimestep(m_sigmas[i]));
    return out;
}

torch::Tensor LcmSampler::sigmas() const
{
    return torch::tensor(m_sigmas, torch::kFloat32);
}

torch::Tensor LcmSampler::denoise(const EpsModel& model, const torch::Tensor& x, float sigma) const
{
    // k-diffusion's ε-denoiser at the grid timestep, then LCM's boundary condition.
    const float cIn = 1.0f / std::sqrt(sigma * sigma + 1.0f);
    const int64_t t = gridTimestep(sigma);
    const torch::Tensor eps = model(x * cIn, double(t));
    const torch::Tensor denoised = x + eps * (-sigma);
    const float scaled = float(t) * TimestepScale;
    const float cSkip = SigmaData * SigmaData / (scaled * scaled + SigmaData * SigmaData);
    const float cOut = scaled / std::sqrt(scaled * scaled + SigmaData * SigmaData);
    return denoised * cOut + x * cSkip;
}

std::optional<torch::Tensor> LcmSampler::sample(torch::Tensor xT, const EpsModel& model,
                                                const NoiseSource& noise,
                                                const StepObserver& observer, int firstStep) const
{
    const int total = int(m_sigmas.size()) - 1;
    const int first = std::clamp(firstStep, 0, total);
    torch::Tensor x = first == 0 ? xT * m_sigmas.front() : std::move(xT);
    for (int i = first; i < total; ++i) {
        const torch::Tensor denoised = denoise(model, x, m_sigmas[size_t(i)]);
        const float next = m_sigmas[size_t(i) + 1];
        x = denoised;
        if (next > 0)
            x = x + noise(i, x.sizes()).to(x.device(), x.scalar_type()) * next;
        if (observer && !observer(SamplerStep{i, total, gridTimestep(m_sigmas[size_t(i)]), x,
                                              denoised}))
            return std::nullopt;
    }
    return x;
}

Result<torch::Tensor> lcmSigmas(const NoiseSchedule& schedule, int steps, SigmaSchedule type)
{
    if (steps < 1)
        return makeError(ErrorCode::InvalidRequest, "steps must be at least 1");
    if (schedule.timesteps() < GridPoints)
        return makeError(ErrorCode::InvalidRequest,
                         "LCM needs a model with at least 50 diffusion timesteps");
    const LcmSampler grid(schedule, torch::zeros({1}));
    const auto& levels = grid.gridSigmas();
    const float tMax = float(grid.gridTimestep(levels.back()));
    const float tMin = float(grid.gridTimestep(levels.front()));
    const auto atTimesteps = [&](const torch::Tensor& t) { return appendZero(grid.sigmasAt(t)); };
    switch (type) {
    case SigmaSchedule::Automatic:
    case SigmaSchedule::Uniform:
    case SigmaSchedule::Normal:
        return atTimesteps(torch::linspace(tMax, tMin, steps, torch::kFloat32));
    case SigmaSchedule::SgmUniform:
        return atTimesteps(torch::linspace(tMax, tMin, steps + 1, torch::kFloat32).slice(0, 0, steps));
    case SigmaSchedule::Simple: {
        std::vector<float> out;
        const double stride = double(levels.size()) / steps;
        for (int i = 0; i < steps; ++i)
            out.push_back(levels[levels.size() - 1 - size_t(double(i) * stride)]);
        return appendZero(torch::tensor(out, torch::kFloat32));
    }
    case SigmaSchedule::Karras: return karrasSigmas(steps, levels.front(), levels.back());
    case SigmaSchedule::Exponential: return exponentialSigmas(steps, levels.front(), levels.back());
    default: break;
    }
    return makeError(ErrorCode::InvalidRequest,
                     std::string("the LCM sampler takes the schedule types Automatic, Uniform, "
                                 "Normal, SGM Uniform, Simple, Karras and Exponential, not ") +
                         sigmaScheduleLabel(type));
}

Result<std::unique_ptr<Sampler>> makeLcmSampler(const NoiseSchedule& schedule, int steps,
                                                SigmaSchedule type)
{
    auto sigmas = lcmSigmas(schedule, steps, type);
    if (!sigmas)
        return sigmas.error();
    return std::unique_ptr<Sampler>(new LcmSampler(schedule, std::move(sigmas.value())));
}

} // namespace ldm
