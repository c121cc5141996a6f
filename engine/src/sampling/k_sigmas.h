// SPDX-License-Identifier: GPL-3.0-or-later
// Noise levels for the k-diffusion samplers (Karras et al. 2022) on a discrete-time model, as
// k-diffusion's CompVisDenoiser and AUTOMATIC1111's schedulers compute them: σ_t = √((1−ᾱ_t)/ᾱ_t)
// for the model's own T steps, real-valued t between them by interpolating log σ, and the
// step schedules A1111 offers. Values are float32 and computed with the same operations as the
// reference, so the schedules match it to the last bit or close to it.
#pragma once

#include "ldm/result.h"
#include "sampling/noise_schedule.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ldm {

/// A1111's "Schedule type" for the k-diffusion samplers.
enum class SigmaSchedule {
    Automatic,   ///< the sampler's own default (A1111's table)
    Uniform,     ///< the model's discrete schedule, t spaced evenly from T−1 to 0
    Karras,      ///< Karras et al. (2022), ρ = 7, between the model's smallest and largest σ
    Exponential, ///< evenly spaced in log σ
    SgmUniform,  ///< t spaced evenly from T−1 over n + 1 points, the last dropped (SGM)
    Polyexponential, ///< k-diffusion's polyexponential, ρ = 1 (= Exponential at A1111's default)
    KlOptimal,       ///< tan of evenly spaced arctan σ, ending on σ_min (no final 0)
    AlignYourSteps,  ///< NVIDIA's 11-level SD-1.5 table, log-linearly resampled to n levels
    Simple,          ///< every (T / n)-th of the model's own σ, from the largest
    Normal,          ///< t spaced evenly from t(σ_max) to t(σ_min) over n points
    Beta,            ///< σ_min + (σ_max − σ_min) · Beta(0.6, 0.6) quantiles (Lee et al. 2024)
};

/// "automatic", "uniform", "karras", "exponential", "sgm_uniform", "polyexponential",
/// "kl_optimal", "align_your_steps", "simple", "normal", "beta" (A1111's `name`s).
const char* sigmaScheduleName(SigmaSchedule schedule);
/// A1111's label: "Automatic", "Uniform", "Karras", "Exponential", "SGM Uniform",
/// "Polyexponential", "KL Optimal", "Align Your Steps", "Simple", "Normal", "Beta".
const char* sigmaScheduleLabel(SigmaSchedule schedule);
/// Either spelling, case-insensitive ("" = automatic); errors list the choices.
Result<SigmaSchedule> parseSigmaSchedule(const std::string& name);

/// The discrete noise levels of a model (k-diffusion's DiscreteSchedule).
class DiscreteSigmas {
public:
    explicit DiscreteSigmas(const NoiseSchedule& schedule);

    /// float32 [T], increasing with t.
    const torch::Tensor& sigmas() const { return m_sigmas; }
    float sigmaMin() const { return m_sigmaValues.front(); }
    float sigmaMax() const { return m_sigmaValues.back(); }

    /// Real-valued timestep of σ: linear in log σ between the two neighbouring steps, clamped
    /// to [0, T−1] (sigma_to_t, unquantised), in float32 like the reference.
    float sigmaToT(float sigma) const;
    /// σ at real-valued t (t_to_sigma).
    float tToSigma(float t) const;

    /// get_sigmas(n): n levels with t evenly from T−1 to 0, then 0 (n + 1 values).
    torch::Tensor uniform(int n) const;
    /// A1111's sgm_uniform: t evenly from t(σ_max) to t(σ_min) over n + 1 points, the last
    /// dropped, then 0.
    torch::Tensor sgmUniform(int n) const;
    /// A1111's normal_scheduler: t evenly from t(σ_max) to t(σ_min) over n points, then 0.
    torch::Tensor normal(int n) const;
    /// A1111's simple_scheduler: σ[T − 1 − ⌊i·T/n⌋] for i < n, then 0.
    torch::Tensor simple(int n) const;

private:
    torch::Tensor m_sigmas;
    torch::Tensor m_logSigmas;
    std::vector<float> m_sigmaValues;
    std::vector<float> m_logSigmaValues;
};

/// get_sigmas_karras(n, σ_min, σ_max, ρ) + 0.
torch::Tensor karrasSigmas(int n, double sigmaMin, double sigmaMax, double rho = 7.0);
/// get_sigmas_exponential(n, σ_min, σ_max) + 0.
torch::Tensor exponentialSigmas(int n, double sigmaMin, double sigmaMax);

/// get_sigmas_polyexponential(n, σ_min, σ_max, ρ) + 0: log σ from max to min along ramp^ρ.
torch::Tensor polyexponentialSigmas(int n, double sigmaMin, double sigmaMax, double rho = 1.0);
/// A1111's kl_optimal: tan(arctan σ_max + i/n · (arctan σ_min − arctan σ_max)), i = 0..n
/// (n + 1 values, the last σ_min rather than 0, as A1111 returns them).
torch::Tensor klOptimalSigmas(int n, double sigmaMin, double sigmaMax);
/// A1111's get_align_your_steps_sigmas for SD-1.x/2.x (its SD-1.5 table): the table itself
/// for n = 11, else log-linearly interpolated to n levels as numpy's interp does; then 0.
torch::Tensor alignYourStepsSigmas(int n);
/// A1111's beta_scheduler: σ_min + q_i (σ_max − σ_min) with q_i the Beta(α, β) quantile of
/// 1 − i/(n−1) (scipy.stats.beta.ppf), then 0. α = β = 0.6 are A1111's defaults.
torch::Tensor betaSigmas(int n, double sigmaMin, double sigmaMax, double alpha = 0.6,
                         double beta = 0.6);
/// The inverse of the regularised incomplete beta function I_x(a, b) in x (the Beta(a, b)
/// quantile of p), to double precision; p outside (0, 1) gives 0 or 1.
double inverseRegularizedBeta(double p, double a, double b);

/// The σ schedule of a run as A1111 builds it (KDiffusionSampler.get_sigmas): `steps` levels
/// + 0; with `discardNextToLast` it is made for steps + 1 and its next-to-last value dropped.
/// float32 [steps + 1].
torch::Tensor a1111Sigmas(const DiscreteSigmas& model, SigmaSchedule schedule, int steps,
                          bool discardNextToLast);

} // namespace ldm
