// SPDX-License-Identifier: GPL-3.0-or-later
// The k-diffusion samplers (crowsonkb/k-diffusion sampling.py) under AUTOMATIC1111's names, on
// a discrete-time model the way k-diffusion's CompVisDenoiser wraps it: x lives at noise level
// σ (x = x0 + σ·n), the UNet sees x·c_in with c_in = 1/√(σ²+1) at the real-valued timestep
// t(σ), and the denoised estimate is x − σ·ε. Classifier-free guidance happens inside the
// ε-model, which is linear in ε, so it equals A1111's CFGDenoiser on the denoised outputs.
#pragma once

#include "sampling/brownian_tree.h"
#include "sampling/k_sigmas.h"
#include "sampling/sampler.h"

#include <deque>

namespace ldm {

/// What A1111 knows about one k-diffusion sampler (its samplers_k_diffusion table).
struct KSamplerTraits {
    const char* function;            ///< k-diffusion's function, e.g. "sample_euler_ancestral"
    SigmaSchedule automaticSchedule; ///< what "Automatic" means for it
    bool discardNextToLastSigma;     ///< schedule made for steps + 1, next-to-last σ dropped
    bool stochastic;                 ///< draws fresh noise during sampling (ancestral / SDE)
};

/// True for the k-diffusion kinds (Euler … DPM++ 3M SDE).
bool isKDiffusionSampler(SamplerKind kind);
/// Their traits; only for kinds where isKDiffusionSampler() holds.
const KSamplerTraits& kSamplerTraits(SamplerKind kind);

/// One k-diffusion sampler over a fixed σ schedule (steps + 1 values, the last 0).
///
/// The noise source gives the per-step noise of the ancestral samplers in the order
/// k-diffusion asks for it (A1111 routes those randn_like calls to its ImageRNG, so the same
/// seed and generator give A1111's picture). The SDE samplers take their noise from a Brownian
/// tree over the run's σ range when given a BrownianSource, as A1111 and ComfyUI do (so their
/// seed gives their picture); without one they draw plain normals from the noise source.
class KDiffusionSampler final : public Sampler {
public:
    KDiffusionSampler(SamplerKind kind, const NoiseSchedule& schedule, torch::Tensor sigmas,
                      double eta = 1.0, std::optional<BrownianSource> brownian = std::nullopt);

    /// round(t(σ_i)) of every step.
    std::vector<int64_t> timesteps() const override;
    /// The σ schedule, float32 [steps + 1].
    torch::Tensor sigmas() const;
    /// `xT` is unit noise: the run starts from xT·σ_0. With `firstStep` > 0, `xT` must already
    /// be at σ_firstStep (x0 + σ·n) and is used as it is.
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise, const StepObserver& observer,
                                        int firstStep = 0) const override;

    /// k-diffusion's linear_multistep_coeff: ∫ over [σ_i, σ_{i+1}] of the Lagrange basis
    /// polynomial j through σ_i … σ_{i−order+1} (Gauss–Legendre, exact for these degrees).
    static double lmsCoefficient(int order, const std::vector<double>& sigmas, int i, int j);

private:
    /// Per-run state: the model and noise of this run and each sampler's history.
    struct Run {
        const EpsModel& model;
        const NoiseSource& noise;
        torch::Tensor denoised;                ///< this step's first denoised estimate
        torch::Tensor oldDenoised;             ///< DPM++ 2M / 2M SDE / 3M SDE: the previous one
        torch::Tensor olderDenoised;           ///< DPM++ 3M SDE: the one before
        double hLast = 0, hBeforeLast = 0;     ///< their step sizes in −log σ
        bool haveLast = false, haveBeforeLast = false;
        std::deque<torch::Tensor> derivatives; ///< LMS: newest last, at most 4
        std::vector<double> sigmas;            ///< LMS: the schedule in double

        std::unique_ptr<BrownianTreeNoise> tree; ///< the SDE samplers' noise, when given a source

        torch::Tensor draw(int step, const torch::Tensor& like) const
        {
            return noise(step, like.sizes()).to(like.device(), like.scalar_type());
        }
        /// An SDE sampler's unit noise for the move from σ to σ_next.
        torch::Tensor brownian(int step, const torch::Tensor& like, float sigma, float next) const
        {
            if (!tree)
                return draw(step, like);
            return (*tree)(sigma, next).to(like.device(), like.scalar_type());
        }
    };
    torch::Tensor denoise(const EpsModel& model, const torch::Tensor& x, float sigma) const;
    torch::Tensor stepFirstOrder(Run& run, int i, const torch::Tensor& x) const;
    torch::Tensor stepDpmSolver(Run& run, int i, const torch::Tensor& x) const;

    SamplerKind m_kind;
    DiscreteSigmas m_model;
    std::vector<float> m_sigmas;
    double m_eta;
    std::optional<BrownianSource> m_brownian;
};

/// The σ schedule and sampler for one A1111 sampler + schedule type + steps.
Result<std::unique_ptr<Sampler>> makeKDiffusionSampler(SamplerKind kind,
                                                       const NoiseSchedule& schedule, int steps,
                                                       SigmaSchedule sigmaSchedule,
                                                       double eta = 1.0,
                                                       std::optional<BrownianSource> brownian = {});

} // namespace ldm
