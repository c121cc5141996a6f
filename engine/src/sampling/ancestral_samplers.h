// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sampling/sampler.h"

namespace ldm {

/// DDPM ancestral sampling (LatentDiffusion.p_sample) on a respaced schedule: with S steps it
/// visits τ_i = i·⌊T/S⌋ and uses the betas of that subsequence (1 − ᾱ[τ_i]/ᾱ[τ_{i−1}]), so with
/// S = T it is exactly the reference's p_sample_loop. No clipping of x̂0, as in LDM.
class DdpmSampler final : public Sampler {
public:
    DdpmSampler(const NoiseSchedule& schedule, int steps);
    std::vector<int64_t> timesteps() const override;
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise,
                                        const StepObserver& observer,
                                        int firstStep = 0) const override;

private:
    struct Step {
        int64_t t;
        float sqrtRecipAlphaBar, sqrtRecipM1AlphaBar, meanCoef1, meanCoef2, noiseScale;
    };
    std::vector<Step> m_steps; // ascending t
};

/// DPM-Solver++(2M) (Lu et al. 2022), data prediction, multistep second order, on the DDIM
/// 'uniform' timesteps; the last step lands on the predicted clean latent (first order), as
/// the k-diffusion implementation does. Deterministic.
class DpmSolverPlusPlus2MSampler final : public Sampler {
public:
    DpmSolverPlusPlus2MSampler(const NoiseSchedule& schedule, int steps);
    std::vector<int64_t> timesteps() const override;
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise,
                                        const StepObserver& observer,
                                        int firstStep = 0) const override;

private:
    std::vector<int64_t> m_timesteps; // descending
    std::vector<double> m_alphaBar;   // ᾱ at each of m_timesteps
};

} // namespace ldm
