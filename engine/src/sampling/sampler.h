// SPDX-License-Identifier: GPL-3.0-or-later
// The reverse-diffusion samplers. Each sampler is split as in the reference: schedule setup
// (constructor), the outer loop (sample) and one step, with a per-step observer that sees the
// latent and the predicted x0 and can stop the run.
#pragma once

#include "ldm/result.h"
#include "sampling/brownian_tree.h"
#include "sampling/k_sigmas.h"
#include "sampling/noise_schedule.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ldm {

/// The samplers we offer: the reference's DDIM/PLMS/DDPM, a discrete-time DPM-Solver++(2M) on
/// the DDIM grid, and the k-diffusion samplers under AUTOMATIC1111's names (k_samplers.h).
enum class SamplerKind {
    Ddim,
    Plms,
    Ddpm,
    DpmSolverPlusPlus2MDdimGrid, ///< "dpmpp2m": DPM-Solver++ 2M on the DDIM timesteps
    Euler,                       ///< A1111 "Euler"
    EulerAncestral,              ///< "Euler a"
    Heun,                        ///< "Heun"
    Lms,                         ///< "LMS"
    Dpm2,                        ///< "DPM2"
    Dpm2Ancestral,               ///< "DPM2 a"
    DpmPlusPlus2SAncestral,      ///< "DPM++ 2S a"
    DpmPlusPlus2M,               ///< "DPM++ 2M" (k-diffusion, on σ)
    DpmPlusPlusSde,              ///< "DPM++ SDE"
    DpmPlusPlus2MSde,            ///< "DPM++ 2M SDE"
    DpmPlusPlus3MSde,            ///< "DPM++ 3M SDE"
    Lcm,                         ///< "LCM": for LCM-distilled models (lcm_sampler.h)
};

/// Our id: "ddim", "plms", "ddpm", "dpmpp2m", "euler", "euler_a", "heun", "lms", "dpm2",
/// "dpm2_a", "dpmpp_2s_a", "dpmpp_2m", "dpmpp_sde", "dpmpp_2m_sde", "dpmpp_3m_sde", "lcm".
const char* samplerKindName(SamplerKind kind);
/// Every kind, in the order a list shows them.
std::vector<SamplerKind> allSamplerKinds();
/// Parses an id, A1111's label ("Euler a", "DPM++ 2M"), its alias ("k_euler_a") or
/// k-diffusion's function name ("sample_euler_ancestral"), case-insensitive; errors list ids.
Result<SamplerKind> parseSamplerKind(const std::string& name);

/// The (guided) noise prediction ε(x, t) for a whole batch at timestep t. The reference's
/// samplers pass integer t; the k-diffusion samplers pass the real-valued t of their σ.
using EpsModel = std::function<torch::Tensor(const torch::Tensor& x, double t)>;

/// Standard-normal noise for sampler step `step` (0 = first step) of the given shape. Replaying
/// recorded draws reproduces a stochastic run exactly.
using NoiseSource = std::function<torch::Tensor(int step, at::IntArrayRef shape)>;

/// What a sampler reports after each step.
struct SamplerStep {
    int step = 0;          ///< 0-based index of the finished step
    int total = 0;         ///< number of steps of the run
    int64_t timestep = 0;  ///< diffusion timestep this step started from
    /// Latent after the step. An observer may rewrite it in place (inpainting restores the known
    /// region); the sampler continues from the rewritten tensor.
    torch::Tensor x;
    torch::Tensor predX0;  ///< predicted clean latent of this step
};

/// Called after every step. Returning false stops the run (cancellation).
using StepObserver = std::function<bool(const SamplerStep&)>;

/// A reverse-process sampler over a fixed schedule.
class Sampler {
public:
    virtual ~Sampler() = default;
    /// Timesteps the run visits, from high to low.
    virtual std::vector<int64_t> timesteps() const = 0;
    /// Runs from x_T; nullopt when the observer stopped the run. With `firstStep` > 0 the run
    /// starts part-way (img2img): `xT` must then be noised to timesteps()[firstStep], and the
    /// steps before it are skipped; SamplerStep::step keeps its index in the full schedule.
    virtual std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                                const NoiseSource& noise,
                                                const StepObserver& observer,
                                                int firstStep = 0) const = 0;
};

/// The reference's 'uniform' DDIM timesteps: c = T / S, τ = 0, c, 2c, … (< T) + 1.
/// Note the count is ceil(T / c), which exceeds S when S does not divide T; entries that
/// would reach T (where the reference fails) are dropped.
std::vector<int64_t> ddimTimesteps(int64_t totalTimesteps, int64_t steps);

/// Builds a sampler. `eta` is used by DDIM only (PLMS requires 0). Errors on steps < 1 or
/// steps > T, eta outside [0, 10], or PLMS with eta != 0. The k-diffusion kinds take their σ
/// schedule from `sigmaSchedule` and add noise with A1111's ancestral eta of 1; the SDE ones
/// take their noise from a Brownian tree of `brownian` when it is given.
Result<std::unique_ptr<Sampler>> makeSampler(SamplerKind kind, const NoiseSchedule& schedule,
                                             int steps, double eta = 0.0,
                                             SigmaSchedule sigmaSchedule = SigmaSchedule::Automatic,
                                             std::optional<BrownianSource> brownian = {});

} // namespace ldm
