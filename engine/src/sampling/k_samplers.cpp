// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/k_samplers.h"
#include "sampling/lcm_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ldm {

namespace {

struct AncestralStep {
    double down, up;
};

// get_ancestral_step: the level to step down to deterministically and the noise to add back.
AncestralStep ancestralStep(double from, double to, double eta)
{
    if (eta == 0.0)
        return {to, 0.0};
    const double up =
        std::min(to, eta * std::sqrt(to * to * (from * from - to * to) / (from * from)));
    return {std::sqrt(to * to - up * up), up};
}

// exp(lerp(log a, log b, 0.5)) in float32, as k-diffusion computes σ_mid on tensors.
float logMidpoint(float a, float b)
{
    const float la = std::log(a);
    const float lb = std::log(b);
    return std::exp(la + 0.5f * (lb - la));
}

} // namespace

torch::Tensor KDiffusionSampler::denoise(const EpsModel& model, const torch::Tensor& x,
                                         float sigma) const
{
    // CompVisDenoiser: c_in = 1/√(σ²+1) and c_out = −σ, float32 like the reference's tensors.
    const float cIn = 1.0f / std::sqrt(sigma * sigma + 1.0f);
    const torch::Tensor eps = model(x * cIn, double(m_model.sigmaToT(sigma)));
    return x + eps * (-sigma);
}

double KDiffusionSampler::lmsCoefficient(int order, const std::vector<double>& t, int i, int j)
{
    // Five-point Gauss–Legendre is exact for polynomials up to degree 9; the basis has degree
    // order − 1 ≤ 3 (k-diffusion integrates it with scipy's adaptive quad to 1e-4).
    static constexpr double Nodes[] = {0.0, -0.5384693101056831, 0.5384693101056831,
                                       -0.9061798459386640, 0.9061798459386640};
    static constexpr double Weights[] = {0.5688888888888889, 0.4786286704993665,
                                         0.4786286704993665, 0.2369268850561891,
                                         0.2369268850561891};
    const double a = t[size_t(i)];
    const double b = t[size_t(i + 1)];
    const double half = (b - a) / 2;
    double sum = 0;
    for (int n = 0; n < 5; ++n) {
        const double tau = a + half * (Nodes[n] + 1);
        double product = 1;
        for (int k = 0; k < order; ++k) {
            if (k == j)
                continue;
            product *= (tau - t[size_t(i - k)]) / (t[size_t(i - j)] - t[size_t(i - k)]);
        }
        sum += Weights[n] * product;
    }
    return sum * half;
}

KDiffusionSampler::KDiffusionSampler(SamplerKind kind, const NoiseSchedule& schedule,
                                     torch::Tensor sigmas, double eta,
                                     std::optional<BrownianSource> brownian)
    : m_kind(kind)
    , m_model(schedule)
    , m_eta(eta)
    , m_brownian(std::move(brownian))
{
    const torch::Tensor values = sigmas.to(torch::kCPU, torch::kFloat32).contiguous();
    m_sigmas.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

std::vector<int64_t> KDiffusionSampler::timesteps() const
{
    std::vector<int64_t> out;
    for (size_t i = 0; i + 1 < m_sigmas.size(); ++i)
        out.push_back(int64_t(std::lround(m_model.sigmaToT(m_sigmas[i]))));
    return out;
}

torch::Tensor KDiffusionSampler::sigmas() const
{
    return torch::tensor(m_sigmas, torch::kFloat32);
}

torch::Tensor KDiffusionSampler::stepFirstOrder(Run& run, int i, const torch::Tensor& x) const
{
    const float sigma = m_sigmas[size_t(i)];
    const float next = m_sigmas[size_t(i + 1)];
    const torch::Tensor& denoised = run.denoised;
    const torch::Tensor d = (x - denoised) / sigma;
    switch (m_kind) {
    case SamplerKind::Euler: return x + d * (next - sigma);
    case SamplerKind::EulerAncestral: {
        const auto step = ancestralStep(sigma, next, m_eta);
        torch::Tensor out = x + d * (step.down - sigma);
        if (next > 0)
            out = out + run.draw(i, x) * step.up;
        return out;
    }
    case SamplerKind::Heun: {
        const double dt = next - sigma;
        if (next == 0)
            return x + d * dt;
        const torch::Tensor x2 = x + d * dt;
        const torch::Tensor d2 = (x2 - denoise(run.model, x2, next)) / next;
        return x + (d + d2) / 2 * dt;
    }
    case SamplerKind::Dpm2: {
        if (next == 0)
            return x + d * (next - sigma);
        const float mid = logMidpoint(sigma, next);
        const torch::Tensor x2 = x + d * (mid - sigma);
        const torch::Tensor d2 = (x2 - denoise(run.model, x2, mid)) / mid;
        return x + d2 * (next - sigma);
    }
    case SamplerKind::Dpm2Ancestral: {
        const auto step = ancestralStep(sigma, next, m_eta);
        if (step.down == 0)
            return x + d * (step.down - sigma);
        const float down = float(step.down);
        const float mid = logMidpoint(sigma, down);
        const torch::Tensor x2 = x + d * (mid - sigma);
        const torch::Tensor d2 = (x2 - denoise(run.model, x2, mid)) / mid;
        return x + d2 * (down - sigma) + run.draw(i, x) * step.up;
    }
    case SamplerKind::Lms: {
        constexpr int MaxOrder = 4;
        run.derivatives.push_back(d);
        if (int(run.derivatives.size()) > MaxOrder)
            run.derivatives.pop_front();
        const int order = std::min(i + 1, MaxOrder);
        torch::Tensor out = x;
        for (int j = 0; j < order; ++j)
            out = out + run.derivatives[run.derivatives.size() - 1 - size_t(j)] *
                            lmsCoefficient(order, run.sigmas, i, j);
        return out;
    }
    default: break;
    }
    throw std::logic_error("not a first-order k-diffusion sampler");
}

std::optional<torch::Tensor> KDiffusionSampler::sample(torch::Tensor xT, const EpsModel& model,
                                                       const NoiseSource& noise,
                                                       const StepObserver& observer,
                                                       int firstStep) const
{
    const int total = int(m_sigmas.size()) - 1;
    const int first = std::clamp(firstStep, 0, total);
    torch::Tensor x = first == 0 ? xT * m_sigmas.front() : std::move(xT);
    Run run{model, noise, {}, {}, {}, 0, 0, false, false, {}, {}, {}};
    run.sigmas.assign(m_sigmas.begin(), m_sigmas.end());
    const bool sde = m_kind == SamplerKind::DpmPlusPlusSde ||
                     m_kind == SamplerKind::DpmPlusPlus2MSde ||
                     m_kind == SamplerKind::DpmPlusPlus3MSde;
    if (sde && m_brownian) {
        // A1111's create_noise_sampler: the tree spans the smallest positive and the largest σ
        // of the whole schedule (also when img2img starts part-way).
        float low = std::numeric_limits<float>::infinity(), high = 0.0f;
        for (size_t k = 0; k < m_sigmas.size(); ++k) {
            if (m_sigmas[k] > 0)
                low = std::min(low, m_sigmas[k]);
            high = std::max(high, m_sigmas[k]);
        }
        if (low < high) // else every step lands on σ = 0 and draws nothing
            run.tree = std::make_unique<BrownianTreeNoise>(low, high, x.sizes().vec(),
                                                           m_brownian->seed, m_brownian->normal);
    }
    const bool lowOrder = m_kind == SamplerKind::Euler || m_kind == SamplerKind::EulerAncestral ||
                          m_kind == SamplerKind::Heun || m_kind == SamplerKind::Dpm2 ||
                          m_kind == SamplerKind::Dpm2Ancestral || m_kind == SamplerKind::Lms;
    for (int i = first; i < total; ++i) {
        run.denoised = denoise(model, x, m_sigmas[size_t(i)]);
        x = lowOrder ? stepFirstOrder(run, i, x) : stepDpmSolver(run, i, x);
        const int64_t t = int64_t(std::lround(m_model.sigmaToT(m_sigmas[size_t(i)])));
        if (observer && !observer(SamplerStep{i, total, t, x, run.denoised}))
            return std::nullopt;
    }
    return x;
}

Result<std::unique_ptr<Sampler>> makeKDiffusionSampler(SamplerKind kind,
                                                       const NoiseSchedule& schedule, int steps,
                                                       SigmaSchedule sigmaSchedule, double eta,
                                                       std::optional<BrownianSource> brownian)
{
    if (!isKDiffusionSampler(kind))
        return makeError(ErrorCode::Internal, "not a k-diffusion sampler");
    if (steps < 1)
        return makeError(ErrorCode::InvalidRequest, "steps must be at least 1");
    if (kind == SamplerKind::Lcm) // its own denoiser and noise levels
        return makeLcmSampler(schedule, steps, sigmaSchedule);
    const KSamplerTraits& traits = kSamplerTraits(kind);
    const SigmaSchedule resolved =
        sigmaSchedule == SigmaSchedule::Automatic ? traits.automaticSchedule : sigmaSchedule;
    DiscreteSigmas model(schedule);
    torch::Tensor sigmas = a1111Sigmas(model, resolved, steps, traits.discardNextToLastSigma);
    return std::unique_ptr<Sampler>(
        new KDiffusionSampler(kind, schedule, std::move(sigmas), eta, std::move(brownian)));
}

} // namespace ldm
