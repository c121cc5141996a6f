// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/noise_schedule.h"

#include <cmath>

namespace ldm {
Result<NoiseSchedule> NoiseSchedule::fromConfig(const ScheduleConfig& config)
{
    const int64_t count = config.timesteps;
    if (count < 2 || count > 100000)
        return makeError(ErrorCode::InvalidRequest,
                         "timesteps must be between 2 and 100000, got " + std::to_string(count));
    if (!(config.linearStart > 0 && config.linearEnd > config.linearStart && config.linearEnd < 1))
        return makeError(ErrorCode::InvalidRequest,
                         "linear_start/linear_end must satisfy 0 < start < end < 1");
    // torch.linspace in float64, as make_beta_schedule does (its two-sided stepping matters
    // in the last bit), then everything derived in float64 and stored as float32.
    torch::Tensor betas;
    if (config.betaSchedule == "linear") {
        betas = torch::linspace(std::sqrt(config.linearStart), std::sqrt(config.linearEnd), count,
                                torch::kFloat64)
                    .pow(2);
    } else if (config.betaSchedule == "sqrt_linear") {
        betas = torch::linspace(config.linearStart, config.linearEnd, count, torch::kFloat64);
    } else {
        return makeError(ErrorCode::InvalidRequest,
                         "unsupported beta_schedule '" + config.betaSchedule + "'");
    }
    auto schedule = fromAlphasCumprod(torch::cumprod(1 - betas, 0).to(torch::kFloat32));
    if (!schedule)
        return schedule;
    schedule->m_betas64 = betas;
    return schedule;
}

Result<NoiseSchedule> NoiseSchedule::fromAlphasCumprod(const torch::Tensor& alphasCumprod)
{
    if (!alphasCumprod.defined() || alphasCumprod.dim() != 1 || alphasCumprod.size(0) < 2)
        return makeError(ErrorCode::InvalidFile, "alphas_cumprod must be a 1-D tensor of length >= 2");
    NoiseSchedule schedule;
    schedule.m_alphasCumprod = alphasCumprod.to(torch::kCPU, torch::kFloat32).contiguous().clone();
    const float* data = schedule.m_alphasCumprod.data_ptr<float>();
    schedule.m_alphaBar.assign(data, data + schedule.m_alphasCumprod.size(0));
    for (size_t t = 0; t < schedule.m_alphaBar.size(); ++t) {
        const float value = schedule.m_alphaBar[t];
        const bool decreasing = t == 0 || value <= schedule.m_alphaBar[t - 1];
        if (!(value > 0.0f && value < 1.0f) || !decreasing)
            return makeError(ErrorCode::InvalidFile,
                             "alphas_cumprod must decrease strictly inside (0, 1); entry " +
                                 std::to_string(t) + " is " + std::to_string(value));
    }
    // Betas recovered from ᾱ when the checkpoint only carries the cumulative product.
    auto acp = schedule.m_alphasCumprod.to(torch::kFloat64);
    auto prev = torch::cat({torch::ones({1}, torch::kFloat64), acp.slice(0, 0, -1)});
    schedule.m_betas64 = 1 - acp / prev;
    return schedule;
}

torch::Tensor NoiseSchedule::epsFromV(const torch::Tensor& x, const torch::Tensor& v,
                                      double t) const
{
    TORCH_CHECK(t >= 0 && t <= double(timesteps() - 1), "timestep ", t, " outside the schedule");
    double alphaBar = double(m_alphaBar[size_t(t)]);
    if (t != std::floor(t)) {
        const auto logSigma = [this](size_t i) {
            const double a = double(m_alphaBar[i]);
            return 0.5 * std::log((1.0 - a) / a);
        };
        const size_t low = size_t(std::floor(t));
        const double w = t - std::floor(t);
        const double sigma = std::exp((1 - w) * logSigma(low) + w * logSigma(low + 1));
        alphaBar = 1.0 / (1.0 + sigma * sigma);
    }
    const float sqrtAlpha = float(std::sqrt(alphaBar));
    const float sqrtOneMinus = float(std::sqrt(1.0 - alphaBar));
    return v * sqrtAlpha + x * sqrtOneMinus;
}

std::map<std::string, torch::Tensor> NoiseSchedule::buffers() const
{
    const torch::Tensor& betas = m_betas64;
    auto acp = torch::cumprod(1 - betas, 0);
    auto acpPrev = torch::cat({torch::ones({1}, torch::kFloat64), acp.slice(0, 0, -1)});
    auto posteriorVariance = betas * (1 - acpPrev) / (1 - acp);
    auto f = [](const torch::Tensor& t) { return t.to(torch::kFloat32).contiguous(); };
    return {
        {"betas", f(betas)},
        {"alphas_cumprod", f(acp)},
        {"alphas_cumprod_prev", f(acpPrev)},
        {"sqrt_alphas_cumprod", f(acp.sqrt())},
        {"sqrt_one_minus_alphas_cumprod", f((1 - acp).sqrt())},
        {"log_one_minus_alphas_cumprod", f((1 - acp).log())},
        {"sqrt_recip_alphas_cumprod", f((1 / acp).sqrt())},
        {"sqrt_recipm1_alphas_cumprod", f((1 / acp - 1).sqrt())},
        {"posterior_variance", f(posteriorVariance)},
        {"posterior_log_variance_clipped", f(posteriorVariance.clamp_min(1e-20).log())},
        {"posterior_mean_coef1", f(betas * acpPrev.sqrt() / (1 - acp))},
        {"posterior_mean_coef2", f((1 - acpPrev) * (1 - betas).sqrt() / (1 - acp))},
    };
}

} // namespace ldm
