// SPDX-License-Identifier: GPL-3.0-or-later
// The SDE samplers' Brownian-tree noise against the reference (tests/data/sde/
// make_sde_reference.py): numpy's SeedSequence states, torchsde's BrownianTree increments, and
// k-diffusion's DPM++ SDE / 2M SDE / 3M SDE runs with A1111's per-image tree on the CPU
// generator, an analytic ε-model standing in for the UNet.
#include "pipeline/noise_generator.h"
#include "sampling/brownian_tree.h"
#include "sampling/k_samplers.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace {

const nlohmann::json& reference()
{
    static const nlohmann::json data = [] {
        std::ifstream in(ldm::testing::sourceDir() / "tests" / "data" / "sde" /
                         "sde_reference.json");
        EXPECT_TRUE(in.good()) << "tests/data/sde/sde_reference.json not found (LDM_SOURCE_DIR)";
        return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
    }();
    return data;
}

torch::Tensor tensorOf(const nlohmann::json& values, const std::vector<int64_t>& shape)
{
    return torch::tensor(values.get<std::vector<float>>(), torch::kFloat32).view(shape);
}

// torchsde draws each tree node's normals with torch.randn on a CPU generator.
ldm::SeededNormal cpuNormal()
{
    return [](uint64_t seed, at::IntArrayRef shape) {
        return ldm::NoiseGenerator(seed, ldm::NoiseKind::TorchCpu).normal(shape);
    };
}

ldm::SamplerKind kindOf(const std::string& function)
{
    if (function == "sample_dpmpp_sde")
        return ldm::SamplerKind::DpmPlusPlusSde;
    if (function == "sample_dpmpp_2m_sde")
        return ldm::SamplerKind::DpmPlusPlus2MSde;
    return ldm::SamplerKind::DpmPlusPlus3MSde;
}

} // namespace

TEST(BrownianTree, SeedSequenceIsNumpys)
{
    for (const auto& c : reference().at("seed_sequences")) {
        const auto want = c.at("state").get<std::vector<uint32_t>>();
        const auto got = ldm::seedSequenceState(c.at("entropy").get<uint64_t>(),
                                                c.at("spawn_key").get<std::vector<uint64_t>>(),
                                                c.at("pool_size").get<int>(), int(want.size()));
        EXPECT_EQ(got, want) << "entropy " << c.at("entropy");
    }
}

TEST(BrownianTree, RoundDecimalIsPythons)
{
    EXPECT_EQ(ldm::roundDecimal(14.614643096923828, 6), 14.614643);
    EXPECT_EQ(ldm::roundDecimal(0.0291675366461277, 6), 0.029168);
    EXPECT_EQ(ldm::roundDecimal(0.0078125, 6), 0.007812); // an exact tie goes to even
    EXPECT_EQ(ldm::roundDecimal(0.0234375, 6), 0.023438);
}

TEST(BrownianTree, IncrementsAreTorchsdes)
{
    for (const auto& c : reference().at("trees")) {
        const auto shape = c.at("shape").get<std::vector<int64_t>>();
        ldm::BrownianTree tree(c.at("t0").get<double>(), c.at("t1").get<double>(), shape,
                               c.at("seed").get<uint64_t>(), cpuNormal());
        const auto& queries = c.at("queries");
        for (size_t q = 0; q < queries.size(); ++q) {
            const torch::Tensor want = tensorOf(c.at("increments").at(q), shape);
            const torch::Tensor got = tree.increment(queries[q][0], queries[q][1]);
            EXPECT_LT((got - want).abs().max().item<double>(), 1e-5)
                << "seed " << c.at("seed") << " query " << q;
        }
    }
}

TEST(BrownianTree, TheIncrementDoesNotDependOnEarlierQueries)
{
    // The halfway tree's values are fixed by the seed alone, whatever was asked before.
    const std::vector<int64_t> shape{1, 2, 3, 3};
    ldm::BrownianTree fresh(0.03, 14.6, shape, 99, cpuNormal());
    ldm::BrownianTree used(0.03, 14.6, shape, 99, cpuNormal());
    for (double t = 0.5; t < 14; t += 0.37)
        used.increment(t, t + 0.2);
    const torch::Tensor a = fresh.increment(2.5, 9.75);
    const torch::Tensor b = used.increment(2.5, 9.75);
    EXPECT_LT((a - b).abs().max().item<double>(), 1e-5);
    // And the pieces add up: W(2.5, 9.75) = W(2.5, 6) + W(6, 9.75).
    const torch::Tensor sum = fresh.increment(2.5, 6.0) + fresh.increment(6.0, 9.75);
    EXPECT_LT((a - sum).abs().max().item<double>(), 1e-5);
}

TEST(BrownianTree, SdeSamplersMatchKDiffusionWithA1111sTree)
{
    const auto& cases = reference().at("cases");
    ASSERT_FALSE(cases.empty());
    auto schedule = ldm::NoiseSchedule::fromConfig(ldm::ScheduleConfig{});
    ASSERT_TRUE(schedule.ok());
    const ldm::EpsModel eps = [](const torch::Tensor& x, double t) {
        return 0.8 * torch::tanh(0.7 * x + 0.002 * t) + 0.1 * x.mean({2, 3}, true);
    };
    for (const auto& c : cases) {
        const std::string function = c.at("function");
        const uint64_t seed = c.at("seed");
        SCOPED_TRACE(function + " " + c.at("schedule").get<std::string>() + " seed " +
                     std::to_string(seed));
        const auto shape = c.at("shape").get<std::vector<int64_t>>();
        const auto sigmas = c.at("sigmas").get<std::vector<float>>();
        // The schedule A1111 gives the sampler (with DPM++ 3M SDE's discarded next-to-last σ).
        const auto type = ldm::parseSigmaSchedule(c.at("schedule").get<std::string>());
        ASSERT_TRUE(type.ok());
        const auto made = ldm::makeKDiffusionSampler(kindOf(function), schedule.value(),
                                                     c.at("steps").get<int>(), *type);
        ASSERT_TRUE(made.ok()) << made.error().message;
        const torch::Tensor ours =
            static_cast<const ldm::KDiffusionSampler&>(*made.value()).sigmas();
        ASSERT_EQ(ours.numel(), int64_t(sigmas.size()));
        for (size_t i = 0; i < sigmas.size(); ++i)
            EXPECT_NEAR(ours[int64_t(i)].item<float>(), sigmas[i], 2e-6 * sigmas[i]) << "σ " << i;
        const ldm::KDiffusionSampler sampler(kindOf(function), schedule.value(),
                                             torch::tensor(sigmas), 1.0,
                                             ldm::BrownianSource{seed, cpuNormal()});
        const ldm::NoiseSource noPlainNoise = [](int, at::IntArrayRef) -> torch::Tensor {
            ADD_FAILURE() << "an SDE sampler with a Brownian source drew plain noise";
            return {};
        };
        int step = 0;
        const auto out = sampler.sample(
            tensorOf(c.at("x_T"), shape), eps, noPlainNoise, [&](const ldm::SamplerStep& s) {
                const torch::Tensor want = tensorOf(c.at("denoised").at(size_t(s.step)), shape);
                EXPECT_LT((s.predX0 - want).abs().max().item<double>(),
                          1e-4 * (1 + want.abs().max().item<double>()))
                    << "denoised of step " << s.step;
                ++step;
                return true;
            });
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(step, int(sigmas.size()) - 1);
        const torch::Tensor want = tensorOf(c.at("samples"), shape);
        EXPECT_LT((*out - want).abs().max().item<double>(),
                  1e-4 * (1 + want.abs().max().item<double>()));
    }
}
