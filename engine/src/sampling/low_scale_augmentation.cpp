// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/low_scale_augmentation.h"

namespace ldm {

Result<LowScaleAugmentation> LowScaleAugmentation::create(const LowScaleConfig& config)
{
    auto schedule = NoiseSchedule::fromConfig(config.schedule);
    if (!schedule)
        return makeError(schedule.error().code,
                         "low_scale_config noise schedule: " + schedule.error().message);
    if (config.maxNoiseLevel < 0 || config.maxNoiseLevel > schedule->timesteps())
        return makeError(ErrorCode::InvalidFile, "low_scale_config max_noise_level " +
                                                     std::to_string(config.maxNoiseLevel) +
                                                     " is outside 0.." +
                                                     std::to_string(schedule->timesteps()));
    LowScaleAugmentation out;
    out.m_config = config;
    out.m_schedule = schedule.value();
    // The reference's register_schedule computes in float64 and keeps float32 buffers; q_sample
    // multiplies by those float32 values.
    const auto buffers = out.m_schedule.buffers();
    const auto toVector = [](const torch::Tensor& t) {
        const torch::Tensor c = t.contiguous();
        return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    };
    out.m_sqrtAlphaBar = toVector(buffers.at("sqrt_alphas_cumprod"));
    out.m_sqrtOneMinusAlphaBar = toVector(buffers.at("sqrt_one_minus_alphas_cumprod"));
    return out;
}

Result<void> LowScaleAugmentation::checkNoiseLevel(int64_t level) const
{
    if (level < 0 || level > m_config.maxNoiseLevel)
        return makeError(ErrorCode::InvalidRequest,
                         "noise level " + std::to_string(level) + " is outside 0.." +
                             std::to_string(m_config.maxNoiseLevel) +
                             ", the levels this upscaler was trained with (the reference "
                             "default is " +
                             std::to_string(LowScaleConfig::DefaultNoiseLevel) + ")");
    return {};
}

torch::Tensor LowScaleAugmentation::apply(const torch::Tensor& image, int64_t level,
                                          const torch::Tensor& noise) const
{
    TORCH_CHECK(level >= 0 && size_t(level) < m_sqrtAlphaBar.size(), "noise level ", level,
                " outside the low-scale schedule");
    TORCH_CHECK(noise.sizes() == image.sizes(), "noise ", noise.sizes(),
                " does not match the image ", image.sizes());
    return image * m_sqrtAlphaBar[size_t(level)] +
           noise.to(image.device(), image.scalar_type()) * m_sqrtOneMinusAlphaBar[size_t(level)];
}

} // namespace ldm
