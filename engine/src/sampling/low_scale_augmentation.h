// SPDX-License-Identifier: GPL-3.0-or-later
// The noise augmentation of the Stable Diffusion x4 upscaler's low-resolution input
// (`ImageConcatWithNoiseAugmentation` in Stability-AI/stablediffusion
// ldm/modules/diffusionmodules/upscaling.py). The image is noised under its own schedule, not
// the latent one, and the noise level travels to the UNet as its class label, so the model
// knows how much of the input to trust.
#pragma once

#include "ldm/result.h"
#include "sampling/noise_schedule.h"

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ldm {

/// `low_scale_config.params` of a LatentUpscaleDiffusion config.
struct LowScaleConfig
{
    /// `noise_schedule_config`: image-space schedule (x4-upscaling.yaml: linear 1e-4 .. 2e-2,
    /// 1000 steps, which are also the reference's register_schedule defaults).
    ScheduleConfig schedule{0.0001, 0.02, 1000, "linear"};
    /// `max_noise_level`: the largest level the model was trained with (the reference trains
    /// on levels below it and its UI offers 0 .. max_noise_level).
    int64_t maxNoiseLevel = 350;
    /// The level the reference's upscaling script starts with.
    static constexpr int64_t DefaultNoiseLevel = 20;
};

/// The augmentation, ready to apply.
class LowScaleAugmentation
{
public:
    /// Builds the schedule; fails when it or max_noise_level is out of range.
    static Result<LowScaleAugmentation> create(const LowScaleConfig& config);

    const LowScaleConfig& config() const { return m_config; }
    /// The schedule's float32 buffers under the reference's names (the `low_scale_model.*`
    /// tensors of a checkpoint, without the prefix).
    std::map<std::string, torch::Tensor> buffers() const { return m_schedule.buffers(); }
    /// Checks a level against 0 .. max_noise_level, with a message a person can act on.
    Result<void> checkNoiseLevel(int64_t level) const;

    /// q_sample: √ᾱ_n · image + √(1 − ᾱ_n) · noise at level n, with the float32 values of the
    /// reference's sqrt buffers. `image` [B, 3, h, w] in [-1, 1], `noise` of the same shape.
    torch::Tensor apply(const torch::Tensor& image, int64_t level,
                        const torch::Tensor& noise) const;

private:
    LowScaleConfig m_config;
    NoiseSchedule m_schedule;
    std::vector<float> m_sqrtAlphaBar;
    std::vector<float> m_sqrtOneMinusAlphaBar;
};

} // namespace ldm
