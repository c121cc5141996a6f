// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/k_sigmas.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ldm {
namespace {

constexpr SigmaSchedule AllSchedules[] = {SigmaSchedule::Automatic, SigmaSchedule::Uniform,
                                          SigmaSchedule::Karras, SigmaSchedule::Exponential,
                                          SigmaSchedule::SgmUniform, SigmaSchedule::Polyexponential,
                                          SigmaSchedule::KlOptimal, SigmaSchedule::AlignYourSteps,
                                          SigmaSchedule::Simple, SigmaSchedule::Normal,
                                          SigmaSchedule::Beta};

std::string normalised(const std::string& text)
{
    std::string out;
    for (unsigned char c : text)
        if (!std::isspace(c) && c != '_' && c != '-')
            out += char(std::tolower(c));
    return out;
}

torch::Tensor appendZero(const torch::Tensor& sigmas)
{
    return torch::cat({sigmas, torch::zeros({1}, sigmas.options())});
}

} // namespace

const char* sigmaScheduleName(SigmaSchedule schedule)
{
    switch (schedule) {
    case SigmaSchedule::Automatic: return "automatic";
    case SigmaSchedule::Uniform: return "uniform";
    case SigmaSchedule::Karras: return "karras";
    case SigmaSchedule::Exponential: return "exponential";
    case SigmaSchedule::SgmUniform: return "sgm_uniform";
    case SigmaSchedule::Polyexponential: return "polyexponential";
    case SigmaSchedule::KlOptimal: return "kl_optimal";
    case SigmaSchedule::AlignYourSteps: return "align_your_steps";
    case SigmaSchedule::Simple: return "simple";
    case SigmaSchedule::Normal: return "normal";
    case SigmaSchedule::Beta: return "beta";
    }
    return "?";
}

const char* sigmaScheduleLabel(SigmaSchedule schedule)
{
    switch (schedule) {
    case SigmaSchedule::Automatic: return "Automatic";
    case SigmaSchedule::Uniform: return "Uniform";
    case SigmaSchedule::Karras: return "Karras";
    case SigmaSchedule::Exponential: return "Exponential";
    case SigmaSchedule::SgmUniform: return "SGM Uniform";
    case SigmaSchedule::Polyexponential: return "Polyexponential";
    case SigmaSchedule::KlOptimal: return "KL Optimal";
    case SigmaSchedule::AlignYourSteps: return "Align Your Steps";
    case SigmaSchedule::Simple: return "Simple";
    case SigmaSchedule::Normal: return "Normal";
    case SigmaSchedule::Beta: return "Beta";
    }
    return "?";
}

Result<SigmaSchedule> parseSigmaSchedule(const std::string& name)
{
    const std::string key = normalised(name);
    if (key.empty())
        return SigmaSchedule::Automatic;
    for (SigmaSchedule schedule : AllSchedules)
        if (key == normalised(sigmaScheduleName(schedule)) ||
            key == normalised(sigmaScheduleLabel(schedule)))
            return schedule;
    return makeError(ErrorCode::InvalidRequest,
                     "unknown schedule '" + name +
                         "' (choose Automatic, Uniform, Karras, Exponential, SGM Uniform, "
                         "Polyexponential, KL Optimal, Align Your Steps, Simple, Normal or Beta)");
}

DiscreteSigmas::DiscreteSigmas(const NoiseSchedule& schedule)
{
    const torch::Tensor acp = schedule.alphasCumprod();
    m_sigmas = ((1 - acp) / acp).pow(0.5).contiguous();
    m_logSigmas = m_sigmas.log().contiguous();
    m_sigmaValues.assign(m_sigmas.data_ptr<float>(), m_sigmas.data_ptr<float>() + m_sigmas.numel());
    m_logSigmaValues.assign(m_logSigmas.data_ptr<float>(),
                            m_logSigmas.data_ptr<float>() + m_logSigmas.numel());
}

float DiscreteSigmas::sigmaToT(float sigma) const
{
    const float logSigma = std::log(sigma);
    // low = the last step whose log σ is ≤ log σ (0 when none), at most T − 2.
    const auto above = std::upper_bound(m_logSigmaValues.begin(), m_logSigmaValues.end(), logSigma);
    const int64_t last = int64_t(m_logSigmaValues.size()) - 2;
    const int64_t low = std::clamp<int64_t>(int64_t(above - m_logSigmaValues.begin()) - 1, 0, last);
    const float lowLog = m_logSigmaValues[size_t(low)];
    const float highLog = m_logSigmaValues[size_t(low + 1)];
    const float w = std::clamp((lowLog - logSigma) / (lowLog - highLog), 0.0f, 1.0f);
    return (1.0f - w) * float(low) + w * float(low + 1);
}

float DiscreteSigmas::tToSigma(float t) const
{
    const int64_t last = int64_t(m_logSigmaValues.size()) - 1;
    const float clamped = std::clamp(t, 0.0f, float(last));
    const int64_t low = int64_t(std::floor(clamped));
    const int64_t high = int64_t(std::ceil(clamped));
    const float w = clamped - std::floor(clamped);
    return std::exp((1.0f - w) * m_logSigmaValues[size_t(low)] +
                    w * m_logSigmaValues[size_t(high)]);
}

torch::Tensor DiscreteSigmas::uniform(int n) const
{
    const double tMax = double(m_sigmas.size(0) - 1);
    const torch::Tensor t = torch::linspace(tMax, 0.0, n, torch::kFloat32);
    const torch::Tensor low = t.floor().to(torch::kLong);
    const torch::Tensor high = t.ceil().to(torch::kLong);
    const torch::Tensor w = t.frac();
    const torch::Tensor logSigma =
        (1 - w) * m_logSigmas.index_select(0, low) + w * m_logSigmas.index_select(0, high);
    return appendZero(logSigma.exp());
}

torch::Tensor DiscreteSigmas::sgmUniform(int n) const
{
    const float start = sigmaToT(sigmaMax());
    const float end = sigmaToT(sigmaMin());
    const torch::Tensor t = torch::linspace(start, end, n + 1, torch::kFloat32);
    std::vector<float> sigmas;
    for (int i = 0; i < n; ++i)
        sigmas.push_back(tToSigma(t[i].item<float>()));
    sigmas.push_back(0.0f);
    return torch::tensor(sigmas, torch::kFloat32);
}

torch::Tensor karrasSigmas(int n, double sigmaMin, double sigmaMax, double rho)
{
    const torch::Tensor ramp = torch::linspace(0, 1, n, torch::kFloat32);
    const double minInvRho = std::pow(sigmaMin, 1.0 / rho);
    const double maxInvRho = std::pow(sigmaMax, 1.0 / rho);
    return appendZero((maxInvRho + ramp * (minInvRho - maxInvRho)).pow(rho));
}

torch::Tensor exponentialSigmas(int n, double sigmaMin, double sigmaMax)
{
    return appendZero(
        torch::linspace(std::log(sigmaMax), std::log(sigmaMin), n, torch::kFloat32).exp());
}

torch::Tensor a1111Sigmas(const DiscreteSigmas& model, SigmaSchedule schedule, int steps,
                          bool discardNextToLast)
{
    const int n = steps + (discardNextToLast ? 1 : 0);
    const double sigmaMin = model.sigmaMin();
    const double sigmaMax = model.sigmaMax();
    torch::Tensor sigmas;
    switch (schedule) {
    case SigmaSchedule::Automatic:
    case SigmaSchedule::Uniform: sigmas = model.uniform(n); break;
    case SigmaSchedule::Karras: sigmas = karrasSigmas(n, sigmaMin, sigmaMax); break;
    case SigmaSchedule::Exponential: sigmas = exponentialSigmas(n, sigmaMin, sigmaMax); break;
    case SigmaSchedule::SgmUniform: sigmas = model.sgmUniform(n); break;
    case SigmaSchedule::Polyexponential:
        sigmas = polyexponentialSigmas(n, sigmaMin, sigmaMax);
        break;
    case SigmaSchedule::KlOptimal: sigmas = klOptimalSigmas(n, sigmaMin, sigmaMax); break;
    case SigmaSchedule::AlignYourSteps: sigmas = alignYourStepsSigmas(n); break;
    case SigmaSchedule::Simple: sigmas = model.simple(n); break;
    case SigmaSchedule::Normal: sigmas = model.normal(n); break;
    case SigmaSchedule::Beta: sigmas = betaSigmas(n, sigmaMin, sigmaMax); break;
    }
    if (discardNextToLast)
        sigmas = torch::cat({sigmas.slice(0, 0, -2), sigmas.slice(0, -1)});
    return sigmas.contiguous();
}

} // namespace ldm
