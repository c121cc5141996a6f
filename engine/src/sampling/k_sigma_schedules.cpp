// SPDX-License-Identifier: GPL-3.0-or-later
// The schedule types AUTOMATIC1111 added beside k-diffusion's own (modules/sd_schedulers.py):
// Polyexponential, KL Optimal, Align Your Steps, Simple, Normal and Beta. Each follows the
// reference's arithmetic: torch float32 where it uses torch, double where it uses NumPy or
// SciPy, so the values match it to the last bit or within a few units in the last place.
#include "sampling/k_sigmas.h"

#include <array>
#include <cmath>
#include <limits>

namespace ldm {
namespace {

torch::Tensor withZero(std::vector<double> sigmas)
{
    sigmas.push_back(0.0);
    // torch.FloatTensor(list of Python floats): each value rounded once to float32.
    return torch::tensor(sigmas, torch::kFloat64).to(torch::kFloat32);
}

/// numpy.linspace(0, 1, count): i · (1 / (count − 1)), the last value exactly 1.
std::vector<double> unitLinspace(int count)
{
    std::vector<double> out(size_t(std::max(count, 0)));
    if (count == 1)
        out[0] = 0.0;
    else if (count > 1) {
        const double step = 1.0 / double(count - 1);
        for (int i = 0; i < count; ++i)
            out[size_t(i)] = double(i) * step;
        out.back() = 1.0;
    }
    return out;
}

/// numpy.interp on increasing xp, as its C implementation evaluates it.
double numpyInterp(double x, const std::vector<double>& xp, const std::vector<double>& fp)
{
    if (x < xp.front())
        return fp.front();
    if (x >= xp.back())
        return fp.back();
    size_t j = 0;
    while (j + 1 < xp.size() && xp[j + 1] <= x)
        ++j;
    if (xp[j] == x)
        return fp[j];
    const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    return slope * (x - xp[j]) + fp[j];
}

/// The continued fraction of the incomplete beta function (modified Lentz), which converges
/// quickly for x < (a + 1) / (a + b + 2).
double betaContinuedFraction(double x, double a, double b)
{
    constexpr double Tiny = 1e-300;
    constexpr double Epsilon = 1e-16;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    d = 1.0 / (std::fabs(d) < Tiny ? Tiny : d);
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        for (const double numerator :
             {m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
              -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0))}) {
            d = 1.0 + numerator * d;
            d = 1.0 / (std::fabs(d) < Tiny ? Tiny : d);
            c = 1.0 + numerator / c;
            c = std::fabs(c) < Tiny ? Tiny : c;
            h *= d * c;
            if (std::fabs(d * c - 1.0) < Epsilon && numerator < 0)
                return h;
        }
    }
    return h;
}

/// I_x(a, b), the regularised incomplete beta function.
double regularizedBeta(double x, double a, double b)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    const double logFront = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                            a * std::log(x) + b * std::log1p(-x);
    if (x < (a + 1.0) / (a + b + 2.0))
        return std::exp(logFront) * betaContinuedFraction(x, a, b) / a;
    return 1.0 - std::exp(logFront) * betaContinuedFraction(1.0 - x, b, a) / b;
}

} // namespace

double inverseRegularizedBeta(double p, double a, double b)
{
    if (!(p > 0.0))
        return 0.0;
    if (!(p < 1.0))
        return 1.0;
    // I_x is increasing in x: bisection until the interval stops shrinking gives x to the
    // precision of I itself, whatever the shape of the density near 0 and 1.
    double low = 0.0, high = 1.0;
    for (int i = 0; i < 200; ++i) {
        const double mid = 0.5 * (low + high);
        if (mid <= low || mid >= high)
            break;
        (regularizedBeta(mid, a, b) < p ? low : high) = mid;
    }
    return 0.5 * (low + high);
}

torch::Tensor DiscreteSigmas::normal(int n) const
{
    const float start = sigmaToT(sigmaMax());
    const float end = sigmaToT(sigmaMin());
    const torch::Tensor t = torch::linspace(start, end, n, torch::kFloat32);
    std::vector<float> sigmas;
    for (int i = 0; i < n; ++i)
        sigmas.push_back(tToSigma(t[i].item<float>()));
    sigmas.push_back(0.0f);
    return torch::tensor(sigmas, torch::kFloat32);
}

torch::Tensor DiscreteSigmas::simple(int n) const
{
    const double stride = double(m_sigmaValues.size()) / double(n);
    std::vector<float> sigmas;
    for (int i = 0; i < n; ++i) {
        const auto back = size_t(1 + int64_t(double(i) * stride));
        sigmas.push_back(m_sigmaValues[m_sigmaValues.size() - back]);
    }
    sigmas.push_back(0.0f);
    return torch::tensor(sigmas, torch::kFloat32);
}

torch::Tensor polyexponentialSigmas(int n, double sigmaMin, double sigmaMax, double rho)
{
    const torch::Tensor ramp = torch::linspace(1, 0, n, torch::kFloat32).pow(rho);
    const double logMin = std::log(sigmaMin);
    const torch::Tensor sigmas = (ramp * (std::log(sigmaMax) - logMin) + logMin).exp();
    return torch::cat({sigmas, torch::zeros({1}, sigmas.options())});
}

torch::Tensor klOptimalSigmas(int n, double sigmaMin, double sigmaMax)
{
    const auto scalar = [](double value) {
        return torch::scalar_tensor(value, torch::kFloat32).arctan();
    };
    const torch::Tensor alphaMin = scalar(sigmaMin);
    const torch::Tensor alphaMax = scalar(sigmaMax);
    // arange(n + 1) / n: integer true division, float32 as in the reference.
    const torch::Tensor fraction = torch::arange(n + 1, torch::kLong).div(n);
    return (fraction * alphaMin + (1.0 - fraction) * alphaMax).tan();
}

torch::Tensor alignYourStepsSigmas(int n)
{
    // https://research.nvidia.com/labs/toronto-ai/AlignYourSteps/howto.html, the SD-1.5 table
    // A1111 uses for every model that is not SDXL.
    static const std::array<double, 11> Table = {14.615, 6.475, 3.861, 2.697, 1.886, 1.396,
                                                 0.963,  0.652, 0.399, 0.152, 0.029};
    if (n == int(Table.size()))
        return withZero({Table.begin(), Table.end()});
    // loglinear_interp: interpolate log σ (increasing order) at n evenly spaced points.
    const std::vector<double> xs = unitLinspace(int(Table.size()));
    std::vector<double> ys;
    for (auto it = Table.rbegin(); it != Table.rend(); ++it)
        ys.push_back(std::log(*it));
    std::vector<double> sigmas;
    for (double x : unitLinspace(n))
        sigmas.push_back(std::exp(numpyInterp(x, xs, ys)));
    return withZero({sigmas.rbegin(), sigmas.rend()});
}

torch::Tensor betaSigmas(int n, double sigmaMin, double sigmaMax, double alpha, double beta)
{
    std::vector<double> sigmas;
    for (double step : unitLinspace(n)) {
        const double quantile = inverseRegularizedBeta(1.0 - step, alpha, beta);
        sigmas.push_back(sigmaMin + quantile * (sigmaMax - sigmaMin));
    }
    return withZero(std::move(sigmas));
}

} // namespace ldm
