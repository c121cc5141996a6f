// SPDX-License-Identifier: GPL-3.0-or-later
// How a ControlNet takes part in one guided UNet call: its residuals for the batch, scaled by
// the strength (guess mode: the reference's 0.825^(12-i) soft scales), over a start..end range
// of the steps as A1111's ControlNet extension offers, for both halves of classifier-free
// guidance unless in guess mode (then for the conditional half only, as lllyasviel's
// gradio scripts pass no hint to the unconditional half).
#pragma once

#include "unet/control_net.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ldm {

/// A ControlNet steering one request. Inactive while `net` is null.
struct ControlInput
{
    ControlNet net{nullptr};
    torch::Tensor hint;     ///< [1, hint_channels, H, W] in [0, 1] at the output's pixel size
    double strength = 1.0;  ///< multiplies every residual
    double start = 0.0;     ///< first fraction of the steps it acts at (0..1)
    double end = 1.0;       ///< last fraction of the steps it acts at (0..1)
    bool guessMode = false; ///< soft scales, conditional half only
    /// The run's timesteps from high to low (Sampler::timesteps()); they place a call's
    /// timestep among the steps for start / end. Empty: every call is in range.
    std::vector<int64_t> timesteps;

    bool enabled() const { return !net.is_empty(); }
    /// Whether the control acts on a UNet call at timestep `t` (fractional between steps for
    /// samplers that evaluate there): the step whose timestep is
    /// nearest to t, as a fraction step / steps, lies within [start, end].
    bool appliesAt(double t) const;
};

/// The factor of each of `count` residuals (input blocks in order, middle block last): all
/// `strength`, or in guess mode strength · 0.825^(12-i) as lllyasviel's scripts set
/// `control_scales` (13 entries, one per SD-1.x residual, paired by position), so on SD-1.x the
/// middle block keeps the full strength and the shallow skips fade to 0.825^12 ≈ 0.1.
std::vector<double> controlScales(double strength, bool guessMode, size_t count);

/// The scaled residuals for one UNet call on latents `x` [B, C, h, w] (without concatenated
/// conditioning) at `timesteps` [B] with `context` [B, M, d]. With `guidedBatch` the batch is
/// [unconditional; conditional] halves: in guess mode only the conditional half is run through
/// the ControlNet and the unconditional half gets zero residuals. Empty when the control does
/// not apply at this timestep or is disabled.
std::vector<torch::Tensor> controlResiduals(const ControlInput& control, const torch::Tensor& x,
                                            const torch::Tensor& timesteps,
                                            const torch::Tensor& context, bool guidedBatch);

} // namespace ldm
