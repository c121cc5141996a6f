// SPDX-License-Identifier: GPL-3.0-or-later
// The DPM-Solver++ family of the k-diffusion samplers (Lu et al. 2022), in half-log-SNR time
// t = −log σ, and the table of A1111's k-diffusion samplers.
#include "sampling/k_samplers.h"

#include <cmath>
#include <stdexcept>

namespace ldm {
namespace {

struct TraitsEntry {
    SamplerKind kind;
    KSamplerTraits traits;
};

// AUTOMATIC1111 1.10's samplers_k_diffusion: function, the scheduler "Automatic" stands for
// (none = the model's own uniform one), discard_next_to_last_sigma.
constexpr TraitsEntry Table[] = {
    {SamplerKind::Euler, {"sample_euler", SigmaSchedule::Uniform, false, false}},
    {SamplerKind::EulerAncestral, {"sample_euler_ancestral", SigmaSchedule::Uniform, false, true}},
    {SamplerKind::Heun, {"sample_heun", SigmaSchedule::Uniform, false, false}},
    {SamplerKind::Lms, {"sample_lms", SigmaSchedule::Uniform, false, false}},
    {SamplerKind::Dpm2, {"sample_dpm_2", SigmaSchedule::Karras, true, false}},
    {SamplerKind::Dpm2Ancestral, {"sample_dpm_2_ancestral", SigmaSchedule::Karras, true, true}},
    {SamplerKind::DpmPlusPlus2SAncestral,
     {"sample_dpmpp_2s_ancestral", SigmaSchedule::Karras, false, true}},
    {SamplerKind::DpmPlusPlus2M, {"sample_dpmpp_2m", SigmaSchedule::Karras, false, false}},
    {SamplerKind::DpmPlusPlusSde, {"sample_dpmpp_sde", SigmaSchedule::Karras, false, true}},
    {SamplerKind::DpmPlusPlus2MSde,
     {"sample_dpmpp_2m_sde", SigmaSchedule::Exponential, false, true}},
    {SamplerKind::DpmPlusPlus3MSde,
     {"sample_dpmpp_3m_sde", SigmaSchedule::Exponential, true, true}},
    // A1111's sd_samplers_lcm.py: its own denoiser and sampler (lcm_sampler.h).
    {SamplerKind::Lcm, {"sample_lcm", SigmaSchedule::Uniform, false, true}},
};

struct AncestralStep {
    double down, up;
};

// DPM++ SDE queries its noise at σ(t(σ_i)), σ(s) and σ(t(σ_{i+1})), which k-diffusion
// computes in float32 tensor ops; the Brownian tree rounds them to 1e-6, near float32's
// resolution at large σ, so they are computed the same way here.
struct SdeQueryLevels {
    float sigma, mid, next;
};

SdeQueryLevels sdeQueryLevels(float sigma, float next)
{
    const torch::Tensor t = torch::tensor(sigma).log().neg();
    const torch::Tensor tNext = torch::tensor(next).log().neg();
    const torch::Tensor mid = t + (tNext - t) * 0.5;
    return {t.neg().exp().item<float>(), mid.neg().exp().item<float>(),
            tNext.neg().exp().item<float>()};
}

AncestralStep ancestralStep(double from, double to, double eta)
{
    if (eta == 0.0)
        return {to, 0.0};
    const double up =
        std::min(to, eta * std::sqrt(to * to * (from * from - to * to) / (from * from)));
    return {std::sqrt(to * to - up * up), up};
}

} // namespace

bool isKDiffusionSampler(SamplerKind kind)
{
    for (const auto& entry : Table)
        if (entry.kind == kind)
            return true;
    return false;
}

const KSamplerTraits& kSamplerTraits(SamplerKind kind)
{
    for (const auto& entry : Table)
        if (entry.kind == kind)
            return entry.traits;
    throw std::logic_error("not a k-diffusion sampler");
}

torch::Tensor KDiffusionSampler::stepDpmSolver(Run& run, int i, const torch::Tensor& x) const
{
    const double sigma = m_sigmas[size_t(i)];
    const double next = m_sigmas[size_t(i + 1)];
    const torch::Tensor denoised = run.denoised;
    const auto tOf = [](double s) { return -std::log(s); };
    const auto sigmaOf = [](double t) { return std::exp(-t); };
    torch::Tensor out;
    switch (m_kind) {
    case SamplerKind::DpmPlusPlus2SAncestral: {
        const auto step = ancestralStep(sigma, next, m_eta);
        if (step.down == 0) {
            out = x + (x - denoised) / sigma * (step.down - sigma);
        } else {
            const double t = tOf(sigma), tNext = tOf(step.down);
            const double h = tNext - t;
            const double s = t + 0.5 * h;
            const torch::Tensor x2 = x * (sigmaOf(s) / sigmaOf(t)) - denoised * std::expm1(-h * 0.5);
            const torch::Tensor denoised2 = denoise(run.model, x2, float(sigmaOf(s)));
            out = x * (sigmaOf(tNext) / sigmaOf(t)) - denoised2 * std::expm1(-h);
        }
        if (next > 0)
            out = out + run.draw(i, x) * step.up;
        return out;
    }
    case SamplerKind::DpmPlusPlus2M: {
        const double t = tOf(sigma), tNext = tOf(next);
        const double h = tNext - t;
        torch::Tensor blended = denoised;
        if (run.haveLast && next != 0) {
            const double r = (t - tOf(m_sigmas[size_t(i - 1)])) / h;
            blended = denoised * (1 + 1 / (2 * r)) - run.oldDenoised * (1 / (2 * r));
        }
        // σ_next = 0 gives t_next = ∞: the step lands on the denoised estimate.
        out = next == 0 ? blended : x * (sigmaOf(tNext) / sigmaOf(t)) - blended * std::expm1(-h);
        run.oldDenoised = denoised;
        run.haveLast = true;
        return out;
    }
    case SamplerKind::DpmPlusPlusSde: {
        if (next == 0)
            return x + (x - denoised) / sigma * (next - sigma);
        const double t = tOf(sigma), tNext = tOf(next);
        const double h = tNext - t;
        const double s = t + h * 0.5;
        const double fac = 1.0; // 1 / (2r) with r = 1/2
        auto first = ancestralStep(sigmaOf(t), sigmaOf(s), m_eta);
        const double sLow = tOf(first.down);
        torch::Tensor x2 = x * (sigmaOf(sLow) / sigmaOf(t)) - denoised * std::expm1(t - sLow);
        const SdeQueryLevels levels = sdeQueryLevels(float(sigma), float(next));
        x2 = x2 + run.brownian(i, x, levels.sigma, levels.mid) * first.up;
        const torch::Tensor denoised2 = denoise(run.model, x2, float(sigmaOf(s)));
        auto second = ancestralStep(sigmaOf(t), sigmaOf(tNext), m_eta);
        const double tNextLow = tOf(second.down);
        const torch::Tensor blended = denoised * (1 - fac) + denoised2 * fac;
        out = x * (sigmaOf(tNextLow) / sigmaOf(t)) - blended * std::expm1(t - tNextLow);
        return out + run.brownian(i, x, levels.sigma, levels.next) * second.up;
    }
    case SamplerKind::DpmPlusPlus2MSde:
    case SamplerKind::DpmPlusPlus3MSde: {
        const bool third = m_kind == SamplerKind::DpmPlusPlus3MSde;
        double h = 0;
        if (next == 0) {
            out = denoised;
        } else {
            h = -std::log(next) + std::log(sigma);
            if (!third) {
                const double etaH = m_eta * h;
                out = x * (next / sigma * std::exp(-etaH)) - denoised * std::expm1(-h - etaH);
                if (run.haveLast)
                    out = out + (denoised - run.oldDenoised) *
                                    (0.5 * -std::expm1(-h - etaH) * (h / run.hLast));
                if (m_eta != 0)
                    out = out + run.brownian(i, x, float(sigma), float(next)) *
                                    (next * std::sqrt(-std::expm1(-2 * etaH)));
            } else {
                const double hEta = h * (m_eta + 1);
                out = x * std::exp(-hEta) - denoised * std::expm1(-hEta);
                const double phi2 = std::expm1(-hEta) / hEta + 1;
                if (run.haveBeforeLast) {
                    const double r0 = run.hLast / h, r1 = run.hBeforeLast / h;
                    const torch::Tensor d10 = (denoised - run.oldDenoised) / r0;
                    const torch::Tensor d11 = (run.oldDenoised - run.olderDenoised) / r1;
                    const torch::Tensor d1 = d10 + (d10 - d11) * (r0 / (r0 + r1));
                    const torch::Tensor d2 = (d10 - d11) / (r0 + r1);
                    const double phi3 = phi2 / hEta - 0.5;
                    out = out + d1 * phi2 - d2 * phi3;
                } else if (run.haveLast) {
                    out = out + (denoised - run.oldDenoised) / (run.hLast / h) * phi2;
                }
                if (m_eta != 0)
                    out = out + run.brownian(i, x, float(sigma), float(next)) *
                                    (next * std::sqrt(-std::expm1(-2 * h * m_eta)));
            }
        }
        // k-diffusion keeps the history on the final (denoising) step too; it is never used.
        run.olderDenoised = run.oldDenoised;
        run.oldDenoised = denoised;
        run.hBeforeLast = run.hLast;
        run.hLast = h;
        run.haveBeforeLast = run.haveLast;
        run.haveLast = true;
        return out;
    }
    default: break;
    }
    throw std::logic_error("not a DPM-Solver++ k-diffusion sampler");
}

} // namespace ldm
