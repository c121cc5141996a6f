// SPDX-License-Identifier: GPL-3.0-or-later
// The LCM sampler (Luo et al. 2023, "Latent Consistency Models") as AUTOMATIC1111 runs it
// (modules/sd_samplers_lcm.py): for LCM-distilled models (LCM files, LCM-LoRA) at 1–8 steps.
//
// A consistency model maps any noisy latent straight to a clean one, so each step takes the
// model's clean estimate and, unless it is the last step, noises it afresh to the next level.
// The model was distilled on a 50-step skipping grid (t = 19, 39, …, 999 of a 1000-step
// schedule), so noise levels are read off that grid: the timestep the UNet sees is always a
// grid timestep, and the output gets LCM's boundary condition (c_skip, c_out with σ_data 0.5
// and timestep scale 10), which makes it the identity at t = 0.
#pragma once

#include "sampling/k_sigmas.h"
#include "sampling/sampler.h"

#include <vector>

namespace ldm {

class LcmSampler final : public Sampler {
public:
    /// `sigmas`: the schedule (steps + 1 values, the last 0), from lcmSigmas().
    LcmSampler(const NoiseSchedule& schedule, torch::Tensor sigmas);

    /// The grid timestep of each step.
    std::vector<int64_t> timesteps() const override;
    torch::Tensor sigmas() const;
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise, const StepObserver& observer,
                                        int firstStep = 0) const override;

    /// The 50 noise levels of the distillation grid, increasing (float32).
    const std::vector<float>& gridSigmas() const { return m_gridSigmas; }
    /// The grid timestep nearest to σ in log σ (A1111's LCMCompVisDenoiser.sigma_to_t).
    int64_t gridTimestep(float sigma) const;
    /// σ at real-valued timesteps (float32), interpolated in log σ between grid points
    /// (t_to_sigma), with the reference's tensor operations.
    torch::Tensor sigmasAt(const torch::Tensor& t) const;

private:
    torch::Tensor denoise(const EpsModel& model, const torch::Tensor& x, float sigma) const;

    int64_t m_skip;                    ///< T / 50: timesteps between grid points
    std::vector<float> m_gridSigmas;   ///< increasing
    std::vector<float> m_gridLogSigmas;
    torch::Tensor m_gridLogTensor;
    std::vector<float> m_sigmas;       ///< this run's schedule
};

/// The LCM schedule for `steps`: "Automatic", "Uniform" and "Normal" space the grid's
/// timesteps evenly from 999 to 19, "SGM Uniform" over steps + 1 points dropping the last,
/// "Simple" takes every (50 / steps)-th grid level, "Karras" and "Exponential" span the grid's
/// σ range; then 0. Other schedule types are refused by name.
Result<torch::Tensor> lcmSigmas(const NoiseSchedule& schedule, int steps, SigmaSchedule type);

/// The sampler for `steps` over `type` (lcmSigmas).
Result<std::unique_ptr<Sampler>> makeLcmSampler(const NoiseSchedule& schedule, int steps,
                                                SigmaSchedule type);

} // namespace ldm
