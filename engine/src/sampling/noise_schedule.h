// SPDX-License-Identifier: GPL-3.0-or-later
// The diffusion noise schedule of the reference (make_beta_schedule + LatentDiffusion buffers).
#pragma once

#include "ldm/result.h"

#include <torch/torch.h>

#include <map>
#include <string>

namespace ldm {

/// Schedule parameters as in the CompVis YAML `model.params`.
struct ScheduleConfig {
    double linearStart = 0.00085; ///< linear_start
    double linearEnd = 0.012;     ///< linear_end
    int64_t timesteps = 1000;     ///< timesteps
    std::string betaSchedule = "linear"; ///< beta_schedule ("linear" is the only one in use)
};

/// Betas and cumulative alphas (float32, [T]) plus the derived buffers a checkpoint stores.
class NoiseSchedule {
public:
    /// Computes the schedule in float64 and stores float32, exactly as the reference.
    static Result<NoiseSchedule> fromConfig(const ScheduleConfig& config);
    /// Uses a checkpoint's own `alphas_cumprod` buffer (float32 [T]).
    static Result<NoiseSchedule> fromAlphasCumprod(const torch::Tensor& alphasCumprod);

    int64_t timesteps() const { return m_alphasCumprod.size(0); }
    /// float32 [T]
    torch::Tensor betas() const { return m_betas64.to(torch::kFloat32); }
    /// float32 [T]; ᾱ_t
    const torch::Tensor& alphasCumprod() const { return m_alphasCumprod; }
    /// ᾱ_t as float (the value the samplers use as a float32 scalar).
    float alphaBar(int64_t t) const { return m_alphaBar.at(static_cast<size_t>(t)); }

    /// All persistent buffers of LatentDiffusion by their state-dict names (float32 [T]).
    std::map<std::string, torch::Tensor> buffers() const;

    /// The noise a v-predicting model implies at step t: ε = √ᾱ_t·v + √(1−ᾱ_t)·x, with the
    /// float32 values of the reference's sqrt_alphas_cumprod / sqrt_one_minus_alphas_cumprod
    /// buffers. Every sampler works on ε, so this adapts a v model to all of them; DDIM then
    /// recovers x0 = √ᾱ_t·x − √(1−ᾱ_t)·v, as the reference does. Between two steps (the
    /// k-diffusion samplers' real-valued t) ᾱ = 1/(1+σ²) with log σ interpolated linearly, the
    /// noise level k-diffusion's CompVisVDenoiser scales with.
    torch::Tensor epsFromV(const torch::Tensor& x, const torch::Tensor& v, double t) const;

private:
    torch::Tensor m_betas64; // float64: the derived buffers are computed from it, as the reference does
    torch::Tensor m_alphasCumprod;
    std::vector<float> m_alphaBar;
};

} // namespace ldm
