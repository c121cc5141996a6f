// SPDX-License-Identifier: GPL-3.0-or-later
// The k-diffusion samplers and their schedules: closed forms of the σ schedules, A1111's
// names, the LMS coefficients, the torch / Philox generators against known values, and every
// sampler on a data set of one point, where the ideal denoiser is known exactly.
#include "pipeline/noise_generator.h"
#include "sampling/k_samplers.h"
#include "sampling/torch_compatible_noise.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

namespace {

ldm::NoiseSchedule sdSchedule()
{
    auto schedule = ldm::NoiseSchedule::fromConfig(ldm::ScheduleConfig{});
    EXPECT_TRUE(schedule.ok());
    return schedule.value();
}

std::vector<double> values(const torch::Tensor& t)
{
    const torch::Tensor d = t.to(torch::kFloat64).contiguous();
    return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

TEST(KSigmas, DiscreteSigmasFollowTheModelSchedule)
{
    const auto schedule = sdSchedule();
    const ldm::DiscreteSigmas model(schedule);
    for (int64_t t : {0, 1, 500, 998, 999}) {
        const double a = schedule.alphaBar(t);
        EXPECT_NEAR(model.sigmas()[t].item<double>(), std::sqrt((1 - a) / a), 1e-5 * (1 + a));
        EXPECT_NEAR(model.sigmaToT(model.sigmas()[t].item<float>()), double(t), 1e-3);
    }
    // SD's linear schedule: σ from 0.0292 to 14.61 (the values every A1111 user sees).
    EXPECT_NEAR(model.sigmaMin(), 0.0291675, 1e-6);
    EXPECT_NEAR(model.sigmaMax(), 14.614643, 1e-5);
    // Between steps t is linear in log σ.
    const double lo = std::log(model.sigmas()[100].item<double>());
    const double hi = std::log(model.sigmas()[101].item<double>());
    EXPECT_NEAR(model.sigmaToT(float(std::exp(lo + 0.25 * (hi - lo)))), 100.25, 1e-3);
    EXPECT_NEAR(std::log(model.tToSigma(100.25f)), lo + 0.25 * (hi - lo), 1e-5);
    // Outside the model's range t clamps to its ends.
    EXPECT_NEAR(model.sigmaToT(100.0f), 999.0, 1e-4);
    EXPECT_NEAR(model.sigmaToT(0.001f), 0.0, 1e-4);
}

TEST(KSigmas, UniformSpacesTimestepsEvenly)
{
    const ldm::DiscreteSigmas model(sdSchedule());
    const auto sigmas = values(model.uniform(4));
    ASSERT_EQ(sigmas.size(), 5u);
    EXPECT_DOUBLE_EQ(sigmas.back(), 0.0);
    // t = 999, 666, 333, 0: all on the model's own steps.
    for (int i = 0; i < 4; ++i)
        EXPECT_NEAR(sigmas[size_t(i)], model.sigmas()[999 - 333 * i].item<double>(), 1e-6);
}

TEST(KSigmas, KarrasClosedForm)
{
    const double sMin = 0.0291675, sMax = 14.614642, rho = 7.0;
    const auto sigmas = values(ldm::karrasSigmas(6, sMin, sMax, rho));
    ASSERT_EQ(sigmas.size(), 7u);
    for (int i = 0; i < 6; ++i) {
        const double ramp = i / 5.0;
        const double expected = std::pow(std::pow(sMax, 1 / rho) +
                                             ramp * (std::pow(sMin, 1 / rho) - std::pow(sMax, 1 / rho)),
                                         rho);
        EXPECT_NEAR(sigmas[size_t(i)], expected, 2e-6 * expected);
    }
    EXPECT_DOUBLE_EQ(sigmas.back(), 0.0);
}

TEST(KSigmas, ExponentialIsEvenInLogSigma)
{
    const auto sigmas = values(ldm::exponentialSigmas(5, 0.03, 14.6));
    ASSERT_EQ(sigmas.size(), 6u);
    EXPECT_NEAR(sigmas[0], 14.6, 1e-4);
    EXPECT_NEAR(sigmas[4], 0.03, 1e-6);
    const double ratio = std::log(sigmas[1] / sigmas[0]);
    for (int i = 1; i < 4; ++i)
        EXPECT_NEAR(std::log(sigmas[size_t(i + 1)] / sigmas[size_t(i)]), ratio, 1e-5);
    EXPECT_DOUBLE_EQ(sigmas.back(), 0.0);
}

TEST(KSigmas, SgmUniformDropsTheLastOfStepsPlusOne)
{
    const ldm::DiscreteSigmas model(sdSchedule());
    const auto sigmas = values(model.sgmUniform(4));
    ASSERT_EQ(sigmas.size(), 5u);
    EXPECT_NEAR(sigmas[0], model.sigmaMax(), 1e-5);
    // t = 999 − 999·k/4 for k < 4: the last point (t = 0) is dropped for the final 0.
    EXPECT_NEAR(model.sigmaToT(float(sigmas[2])), 499.5, 1e-2);
    EXPECT_DOUBLE_EQ(sigmas.back(), 0.0);
}

TEST(KSigmas, DiscardNextToLastSigmaAsA1111)
{
    const ldm::DiscreteSigmas model(sdSchedule());
    for (auto schedule : {ldm::SigmaSchedule::Uniform, ldm::SigmaSchedule::Karras,
                          ldm::SigmaSchedule::Exponential}) {
        const auto longer = values(ldm::a1111Sigmas(model, schedule, 7, false));
        const auto discarded = values(ldm::a1111Sigmas(model, schedule, 6, true));
        ASSERT_EQ(discarded.size(), 7u);
        for (size_t i = 0; i < 6; ++i)
            EXPECT_DOUBLE_EQ(discarded[i], longer[i]);
        EXPECT_DOUBLE_EQ(discarded.back(), 0.0);
    }
}

TEST(KSigmas, ScheduleNames)
{
    EXPECT_EQ(*ldm::parseSigmaSchedule("Karras"), ldm::SigmaSchedule::Karras);
    EXPECT_EQ(*ldm::parseSigmaSchedule("SGM Uniform"), ldm::SigmaSchedule::SgmUniform);
    EXPECT_EQ(*ldm::parseSigmaSchedule("sgm_uniform"), ldm::SigmaSchedule::SgmUniform);
    EXPECT_EQ(*ldm::parseSigmaSchedule(""), ldm::SigmaSchedule::Automatic);
    EXPECT_FALSE(ldm::parseSigmaSchedule("cosine").ok());
}

TEST(KSamplers, A1111NamesAndDefaults)
{
    using K = ldm::SamplerKind;
    EXPECT_EQ(*ldm::parseSamplerKind("Euler a"), K::EulerAncestral);
    EXPECT_EQ(*ldm::parseSamplerKind("k_euler_a"), K::EulerAncestral);
    EXPECT_EQ(*ldm::parseSamplerKind("sample_euler_ancestral"), K::EulerAncestral);
    EXPECT_EQ(*ldm::parseSamplerKind("DPM++ 2M"), K::DpmPlusPlus2M);
    EXPECT_EQ(*ldm::parseSamplerKind("dpmpp_2m"), K::DpmPlusPlus2M);
    EXPECT_EQ(*ldm::parseSamplerKind("dpmpp2m"), K::DpmSolverPlusPlus2MDdimGrid);
    EXPECT_EQ(*ldm::parseSamplerKind("DPM2 a"), K::Dpm2Ancestral);
    EXPECT_EQ(*ldm::parseSamplerKind("DPM++ 2S a"), K::DpmPlusPlus2SAncestral);
    EXPECT_EQ(*ldm::parseSamplerKind("LMS"), K::Lms);
    EXPECT_FALSE(ldm::parseSamplerKind("UniPC").ok());
    EXPECT_TRUE(ldm::kSamplerTraits(K::Dpm2).discardNextToLastSigma);
    EXPECT_TRUE(ldm::kSamplerTraits(K::DpmPlusPlus3MSde).discardNextToLastSigma);
    EXPECT_FALSE(ldm::kSamplerTraits(K::Euler).discardNextToLastSigma);
    EXPECT_EQ(ldm::kSamplerTraits(K::DpmPlusPlus2M).automaticSchedule, ldm::SigmaSchedule::Karras);
    EXPECT_EQ(ldm::kSamplerTraits(K::EulerAncestral).automaticSchedule,
              ldm::SigmaSchedule::Uniform);
    for (ldm::SamplerKind kind : ldm::allSamplerKinds())
        EXPECT_EQ(*ldm::parseSamplerKind(ldm::samplerKindName(kind)), kind);
}

TEST(KSamplers, LmsCoefficientsIntegrateTheLagrangeBasis)
{
    const std::vector<double> t = {14.6, 7.0, 3.1, 1.2, 0.4, 0.0};
    // Order 1: the step itself. Any order: the basis sums to 1, so the weights to the step.
    EXPECT_NEAR(ldm::KDiffusionSampler::lmsCoefficient(1, t, 0, 0), t[1] - t[0], 1e-12);
    for (int order = 2; order <= 4; ++order) {
        const int i = order - 1;
        double sum = 0;
        for (int j = 0; j < order; ++j)
            sum += ldm::KDiffusionSampler::lmsCoefficient(order, t, i, j);
        EXPECT_NEAR(sum, t[size_t(i + 1)] - t[size_t(i)], 1e-12) << "order " << order;
    }
    // Order 2 in closed form: ∫ (τ − t0)/(t1 − t0) dτ over [t1, t2] for the older point.
    const double older = ldm::KDiffusionSampler::lmsCoefficient(2, t, 1, 1);
    const double expected = ((t[2] - t[1]) * ((t[2] + t[1]) / 2 - t[1])) / (t[0] - t[1]);
    EXPECT_NEAR(older, expected, 1e-12);
}

TEST(KSamplers, EverySamplerLandsOnAOnePointDataSet)
{
    // Data = the single point c: the ideal denoiser is c at every σ, i.e. ε = (x − c)/σ with
    // x = x_in·√(σ²+1). Every sampler must end exactly on c (up to rounding), with or without
    // the noise it adds on the way.
    const auto schedule = sdSchedule();
    const ldm::DiscreteSigmas sigmas(schedule);
    const torch::Tensor c = torch::linspace(-1, 1, 16).view({1, 1, 4, 4});
    const ldm::EpsModel eps = [&](const torch::Tensor& xIn, double t) {
        const double sigma = sigmas.tToSigma(float(t));
        return (xIn * std::sqrt(sigma * sigma + 1) - c) / sigma;
    };
    for (ldm::SamplerKind kind : ldm::allSamplerKinds()) {
        if (!ldm::isKDiffusionSampler(kind))
            continue;
        for (auto sigmaSchedule : {ldm::SigmaSchedule::Automatic, ldm::SigmaSchedule::Karras,
                                   ldm::SigmaSchedule::SgmUniform}) {
            // LCM shows the model the nearest of its 50 grid timesteps, so it lands exactly
            // only where the last level is a grid level (not SGM Uniform's).
            if (kind == ldm::SamplerKind::Lcm && sigmaSchedule == ldm::SigmaSchedule::SgmUniform)
                continue;
            auto sampler = ldm::makeSampler(kind, schedule, 8, 0.0, sigmaSchedule);
            ASSERT_TRUE(sampler.ok()) << sampler.error().message;
            ldm::NoiseGenerator generator(7, ldm::NoiseKind::Philox);
            int draws = 0;
            int steps = 0;
            const auto out = sampler->get()->sample(
                generator.normal({1, 1, 4, 4}), eps,
                [&](int, at::IntArrayRef shape) {
                    ++draws;
                    return generator.normal(shape);
                },
                [&](const ldm::SamplerStep&) { return ++steps > 0; });
            ASSERT_TRUE(out.has_value());
            EXPECT_EQ(steps, 8) << ldm::samplerKindName(kind);
            EXPECT_LT((*out - c).abs().max().item<double>(), 1e-3) << ldm::samplerKindName(kind);
            EXPECT_EQ(draws > 0, ldm::kSamplerTraits(kind).stochastic)
                << ldm::samplerKindName(kind);
        }
    }
}

TEST(KSamplers, ObserverStopsTheRun)
{
    auto sampler = ldm::makeSampler(ldm::SamplerKind::Heun, sdSchedule(), 5);
    ASSERT_TRUE(sampler.ok());
    int calls = 0;
    const auto out = sampler->get()->sample(
        torch::zeros({1, 1, 2, 2}),
        [&](const torch::Tensor& x, double) {
            ++calls;
            return torch::zeros_like(x);
        },
        {}, [](const ldm::SamplerStep& step) { return step.step < 1; });
    EXPECT_FALSE(out.has_value());
    EXPECT_EQ(calls, 4); // Heun: two calls per step, stopped after the second step
}

TEST(TorchCompatibleNoise, CpuGeneratorMatchesTorchRandn)
{
    // torch.manual_seed(0); torch.randn(16)[:4] — the values every PyTorch user has seen.
    ldm::TorchCpuNormal cpu(0);
    const auto first = cpu.next(16);
    EXPECT_EQ(first[0], -1.1258398294448853f);
    EXPECT_EQ(first[1], -1.152360200881958f);
    EXPECT_EQ(first[2], -0.2505785822868347f);
    EXPECT_EQ(first[3], -0.4338788092136383f);
    // Fewer than 16 values take torch's scalar path, which LibTorch runs the same everywhere.
    for (int64_t count : {1, 3, 7, 15}) {
        ldm::TorchCpuNormal ours(42);
        auto generator = at::detail::createCPUGenerator(42);
        for (int draw = 0; draw < 3; ++draw) {
            const torch::Tensor ref = torch::randn({count}, generator);
            const auto mine = ours.next(count);
            for (int64_t i = 0; i < count; ++i)
                EXPECT_EQ(mine[size_t(i)], ref[i].item<float>()) << count << " " << draw << " " << i;
        }
    }
}

TEST(TorchCompatibleNoise, PhiloxMatchesA1111)
{
    // A1111's rng_philox.Generator(0).randn((4,)).
    ldm::PhiloxNormal philox(0);
    const auto first = philox.next(4);
    EXPECT_EQ(first[0], -0.9246624112129211f);
    EXPECT_EQ(first[1], -0.42534396052360535f);
    EXPECT_EQ(first[2], -2.643845796585083f);
    EXPECT_EQ(first[3], 0.14518387615680695f);
    // Each call is the next offset: a new draw, not a continuation.
    EXPECT_NE(philox.next(4)[0], first[0]);
    EXPECT_EQ(ldm::PhiloxNormal(0).next(4)[0], first[0]);
}

TEST(TorchCompatibleNoise, EtaNoiseSeedDeltaReseedsAfterTheFirstDraw)
{
    ldm::NoiseGenerator withDelta(5, ldm::NoiseKind::TorchCpu, 31337);
    ldm::NoiseGenerator plain(5, ldm::NoiseKind::TorchCpu);
    ldm::NoiseGenerator shifted(5 + 31337, ldm::NoiseKind::TorchCpu);
    EXPECT_TRUE(withDelta.normal({4, 4}).equal(plain.normal({4, 4})));
    EXPECT_TRUE(withDelta.normal({4, 4}).equal(shifted.normal({4, 4})));
}

} // namespace
