// SPDX-License-Identifier: GPL-3.0-or-later
// The LCM sampler against AUTOMATIC1111's (sd_samplers_lcm.py over k-diffusion's own
// denoiser; tests/data/lcm/make_lcm_reference.py): the 50-level distillation grid, the σ
// schedules A1111 gives it, the grid timesteps the model sees, and every step's latent, with
// an analytic ε-model standing in for the UNet and the reference's noise replayed.
#include "sampling/k_samplers.h"
#include "sampling/lcm_sampler.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace {

ldm::NoiseSchedule sdSchedule()
{
    auto schedule = ldm::NoiseSchedule::fromConfig(ldm::ScheduleConfig{});
    EXPECT_TRUE(schedule.ok());
    return schedule.value();
}

const nlohmann::json& reference()
{
    static const nlohmann::json data = [] {
        std::ifstream in(ldm::testing::sourceDir() / "tests" / "data" / "lcm" /
                         "lcm_reference.json");
        EXPECT_TRUE(in.good()) << "tests/data/lcm/lcm_reference.json not found (LDM_SOURCE_DIR)";
        return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
    }();
    return data;
}

torch::Tensor tensorOf(const nlohmann::json& values, const std::vector<int64_t>& shape)
{
    return torch::tensor(values.get<std::vector<float>>(), torch::kFloat32).view(shape);
}

double maxAbs(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

TEST(LcmSampler, DistillationGridIsA1111s)
{
    const auto schedule = sdSchedule();
    const ldm::LcmSampler sampler(schedule, torch::zeros({1}));
    const auto expected = reference().at("grid_sigmas").get<std::vector<float>>();
    ASSERT_EQ(sampler.gridSigmas().size(), expected.size());
    for (size_t k = 0; k < expected.size(); ++k)
        EXPECT_FLOAT_EQ(sampler.gridSigmas()[k], expected[k]) << "grid point " << k;
    EXPECT_EQ(sampler.gridTimestep(expected.front()), 19);
    EXPECT_EQ(sampler.gridTimestep(expected.back()), 999);
}

TEST(LcmSampler, EveryStepMatchesTheReference)
{
    const auto schedule = sdSchedule();
    const auto& cases = reference().at("cases");
    ASSERT_GE(cases.size(), 5u);
    for (const auto& c : cases) {
        const std::string name = c.at("schedule");
        const int steps = c.at("steps");
        SCOPED_TRACE(name + ", " + std::to_string(steps) + " steps");
        auto type = ldm::parseSigmaSchedule(name);
        ASSERT_TRUE(type.ok());
        auto made = ldm::makeSampler(ldm::SamplerKind::Lcm, schedule, steps, 0.0, *type);
        ASSERT_TRUE(made.ok()) << made.error().message;
        const auto* sampler = dynamic_cast<const ldm::LcmSampler*>(made->get());
        ASSERT_NE(sampler, nullptr);

        const auto sigmas = c.at("sigmas").get<std::vector<float>>();
        const torch::Tensor ours = sampler->sigmas();
        ASSERT_EQ(ours.numel(), int64_t(sigmas.size()));
        for (size_t i = 0; i < sigmas.size(); ++i)
            EXPECT_NEAR(ours[int64_t(i)].item<float>(), sigmas[i], 2e-6 * sigmas[i]) << "σ " << i;
        EXPECT_EQ(sampler->timesteps(), c.at("timesteps").get<std::vector<int64_t>>());

        const auto shape = c.at("shape").get<std::vector<int64_t>>();
        const ldm::EpsModel eps = [](const torch::Tensor& x, double t) {
            return 0.8 * torch::tanh(0.7 * x + 0.002 * t) + 0.1 * x.mean({2, 3}, true);
        };
        const auto& noises = c.at("noises");
        int draws = 0;
        const ldm::NoiseSource noise = [&](int step, at::IntArrayRef) {
            ++draws;
            return tensorOf(noises.at(size_t(step)), shape);
        };
        int step = 0;
        const auto out = sampler->sample(
            tensorOf(c.at("x_T"), shape), eps, noise, [&](const ldm::SamplerStep& s) {
                const torch::Tensor want = tensorOf(c.at("x_steps").at(size_t(s.step)), shape);
                const torch::Tensor denoised = tensorOf(c.at("denoised").at(size_t(s.step)), shape);
                EXPECT_LT(maxAbs(s.x, want), 1e-5 * (1 + want.abs().max().item<double>()))
                    << "step " << s.step;
                EXPECT_LT(maxAbs(s.predX0, denoised), 1e-5) << "step " << s.step;
                ++step;
                return true;
            });
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(step, steps);
        EXPECT_EQ(draws, steps - 1) << "fresh noise before every step but the last";
    }
}

TEST(LcmSampler, NamesAndRefusedSchedules)
{
    auto kind = ldm::parseSamplerKind("LCM");
    ASSERT_TRUE(kind.ok());
    EXPECT_EQ(*kind, ldm::SamplerKind::Lcm);
    EXPECT_EQ(*ldm::parseSamplerKind("k_lcm"), ldm::SamplerKind::Lcm);
    EXPECT_TRUE(ldm::isKDiffusionSampler(ldm::SamplerKind::Lcm)); // A1111's noise, its recipe
    auto refused = ldm::makeSampler(ldm::SamplerKind::Lcm, sdSchedule(), 4, 0.0,
                                    ldm::SigmaSchedule::Beta);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("LCM"), std::string::npos) << refused.error().message;
}
