// SPDX-License-Identifier: GPL-3.0-or-later
// A1111's schedule types against reference σ lists computed by k-diffusion's code and A1111's
// sd_schedulers.py (tests/data/schedules/make_schedule_sigmas.py) on SD's linear schedule,
// for two step counts and with discard_next_to_last_sigma.
#include "core/ckpt_file.h"
#include "sampling/k_sigmas.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

struct ScheduleCase
{
    ldm::SigmaSchedule schedule;
    const char* key;
};

const ScheduleCase Cases[] = {
    {ldm::SigmaSchedule::Uniform, "uniform"},
    {ldm::SigmaSchedule::Karras, "karras"},
    {ldm::SigmaSchedule::Exponential, "exponential"},
    {ldm::SigmaSchedule::Polyexponential, "polyexponential"},
    {ldm::SigmaSchedule::SgmUniform, "sgm_uniform"},
    {ldm::SigmaSchedule::KlOptimal, "kl_optimal"},
    {ldm::SigmaSchedule::AlignYourSteps, "align_your_steps"},
    {ldm::SigmaSchedule::Simple, "simple"},
    {ldm::SigmaSchedule::Normal, "normal"},
    {ldm::SigmaSchedule::Beta, "beta"},
};

const ldm::io::TensorMap& references()
{
    static const ldm::io::TensorMap tensors = [] {
        const auto path = ldm::testing::sourceDir() / "tests" / "data" / "schedules" /
                          "a1111_schedules.safetensors";
        auto file = ldm::io::openCheckpointTensors(path.string());
        EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().message);
        return file.ok() ? file->tensors : ldm::io::TensorMap{};
    }();
    return tensors;
}

TEST(KSchedules, EveryScheduleMatchesTheReference)
{
    const auto& reference = references();
    ASSERT_TRUE(reference.count("alphas_cumprod"));
    auto schedule = ldm::NoiseSchedule::fromAlphasCumprod(reference.at("alphas_cumprod"));
    ASSERT_TRUE(schedule.ok());
    const ldm::DiscreteSigmas model(schedule.value());
    double worst = 0.0;
    for (const ScheduleCase& c : Cases) {
        for (const auto& [steps, discard] : {std::pair{10, false}, {25, false}, {10, true}}) {
            const std::string key =
                std::string(c.key) + "_" + std::to_string(steps) + (discard ? "_discard" : "");
            SCOPED_TRACE(key);
            ASSERT_TRUE(reference.count(key));
            const torch::Tensor expected = reference.at(key).to(torch::kFloat64);
            const torch::Tensor actual =
                ldm::a1111Sigmas(model, c.schedule, steps, discard).to(torch::kFloat64);
            ASSERT_EQ(actual.sizes(), expected.sizes());
            ASSERT_EQ(actual.size(0), steps + 1);
            // float32 values computed with the reference's operations: a few ulp at most.
            const double error =
                ((actual - expected).abs() / (expected.abs() + 1e-30)).max().item<double>();
            EXPECT_LT(error, 4e-7);
            worst = std::max(worst, error);
        }
    }
    std::printf("largest relative difference over all schedules: %.3g\n", worst);
}

TEST(KSchedules, NamesInA1111Spelling)
{
    for (const auto& [label, schedule] :
         {std::pair{"Polyexponential", ldm::SigmaSchedule::Polyexponential},
          {"KL Optimal", ldm::SigmaSchedule::KlOptimal},
          {"Align Your Steps", ldm::SigmaSchedule::AlignYourSteps},
          {"Simple", ldm::SigmaSchedule::Simple},
          {"Normal", ldm::SigmaSchedule::Normal},
          {"Beta", ldm::SigmaSchedule::Beta}}) {
        ASSERT_TRUE(ldm::parseSigmaSchedule(label).ok()) << label;
        EXPECT_EQ(*ldm::parseSigmaSchedule(label), schedule);
        EXPECT_STREQ(ldm::sigmaScheduleLabel(schedule), label);
        EXPECT_EQ(*ldm::parseSigmaSchedule(ldm::sigmaScheduleName(schedule)), schedule);
    }
    EXPECT_EQ(*ldm::parseSigmaSchedule("align_your_steps"), ldm::SigmaSchedule::AlignYourSteps);
    EXPECT_EQ(*ldm::parseSigmaSchedule("kl_optimal"), ldm::SigmaSchedule::KlOptimal);
}

TEST(KSchedules, BetaQuantileInvertsTheDistribution)
{
    // Beta(1, 1) is uniform; Beta(a, b) and Beta(b, a) mirror each other; the median of a
    // symmetric one is 1/2.
    EXPECT_NEAR(ldm::inverseRegularizedBeta(0.3, 1.0, 1.0), 0.3, 1e-15);
    EXPECT_NEAR(ldm::inverseRegularizedBeta(0.5, 0.6, 0.6), 0.5, 1e-15);
    EXPECT_NEAR(ldm::inverseRegularizedBeta(0.2, 0.6, 2.0),
                1.0 - ldm::inverseRegularizedBeta(0.8, 2.0, 0.6), 1e-14);
    // Beta(2, 1) has CDF x²: the p-quantile is √p.
    EXPECT_NEAR(ldm::inverseRegularizedBeta(0.49, 2.0, 1.0), 0.7, 1e-14);
    EXPECT_EQ(ldm::inverseRegularizedBeta(0.0, 0.6, 0.6), 0.0);
    EXPECT_EQ(ldm::inverseRegularizedBeta(1.0, 0.6, 0.6), 1.0);
}

TEST(KSchedules, OneStepSchedulesStayFinite)
{
    const ldm::DiscreteSigmas model(
        ldm::NoiseSchedule::fromConfig(ldm::ScheduleConfig{}).value());
    for (const ScheduleCase& c : Cases) {
        const torch::Tensor sigmas = ldm::a1111Sigmas(model, c.schedule, 1, false);
        EXPECT_EQ(sigmas.size(0), 2) << c.key;
        EXPECT_TRUE(torch::isfinite(sigmas).all().item<bool>()) << c.key;
    }
}

} // namespace
