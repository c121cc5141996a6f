// SPDX-License-Identifier: GPL-3.0-or-later
// loadStateDict / stateDict: a clean load, every kind of mismatch reported at once with nothing
// copied, prefix stripping, ignored prefixes and dtype conversion.
#include "core/state_dict.h"

#include <gtest/gtest.h>

using ldm::ErrorCode;
using ldm::io::TensorMap;

namespace {

// Names "0.weight", "0.bias", "2.weight", "2.bias" (Sequential numbers its children).
torch::nn::Sequential makeModel()
{
    return torch::nn::Sequential(torch::nn::Linear(4, 3), torch::nn::ReLU(),
                                 torch::nn::Linear(3, 2));
}

TensorMap filled(const torch::nn::Module& module, const std::string& prefix, double value)
{
    TensorMap map = ldm::io::stateDict(module, prefix);
    for (auto& [name, tensor] : map)
        tensor.fill_(value);
    return map;
}

bool allEqual(const torch::nn::Module& module, double value)
{
    for (const auto& parameter : module.parameters()) {
        if (!torch::all(parameter == value).item<bool>())
            return false;
    }
    return true;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST(StateDict, CleanLoadCopiesEverything)
{
    auto model = makeModel();
    const auto result = ldm::io::loadStateDict(*model, filled(*model, "", 0.25));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(result->clean());
    EXPECT_EQ(result->loaded, 4u);
    EXPECT_TRUE(allEqual(*model, 0.25));
    EXPECT_TRUE(model->parameters()[0].requires_grad()) << "loading must not change autograd";
}

TEST(StateDict, EveryProblemIsListedAndNothingIsCopied)
{
    auto model = makeModel();
    const auto before = ldm::io::stateDict(*model);
    TensorMap tensors = filled(*model, "", 1.0);
    tensors.erase("0.bias");                         // missing
    tensors["2.weight"] = torch::zeros({2, 5});      // mis-shaped
    tensors["1.weight"] = torch::zeros({7});         // unexpected
    tensors["extra.running_mean"] = torch::zeros(3); // unexpected
    const auto result = ldm::io::loadStateDict(*model, tensors);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::WeightsMismatch);
    const std::string& message = result.error().message;
    EXPECT_TRUE(contains(message, "1 missing, 2 unexpected, 1 mis-shaped")) << message;
    EXPECT_TRUE(contains(message, "missing: 0.bias [3]")) << message;
    EXPECT_TRUE(contains(message, "unexpected: 1.weight [7]")) << message;
    EXPECT_TRUE(contains(message, "unexpected: extra.running_mean [3]")) << message;
    EXPECT_TRUE(contains(message, "mis-shaped: 2.weight: file [2, 5] vs model [2, 3]")) << message;
    // The well-formed tensors (0.weight, 2.bias) were not copied either.
    for (const auto& [name, tensor] : ldm::io::stateDict(*model))
        EXPECT_TRUE(torch::equal(tensor, before.at(name))) << name;
}

TEST(StateDict, PrefixIsStrippedAndOtherModelsIgnored)
{
    auto model = makeModel();
    TensorMap tensors = filled(*model, "first_stage_model.", 0.5);
    // Other sub-models of a combined checkpoint live under other prefixes: not unexpected.
    tensors["model.diffusion_model.out.0.weight"] = torch::zeros(3);
    tensors["first_stage_modelx.weight"] = torch::zeros(3);
    const auto result = ldm::io::loadStateDict(*model, tensors, "first_stage_model.");
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(allEqual(*model, 0.5));

    // Without the prefix nothing matches: all four are missing.
    const auto wrong = ldm::io::loadStateDict(*model, tensors, "cond_stage_model.");
    ASSERT_FALSE(wrong.ok());
    EXPECT_TRUE(contains(wrong.error().message, "4 missing, 0 unexpected"))
        << wrong.error().message;
}

TEST(StateDict, IgnoredPrefixesAreSkippedOnBothSides)
{
    auto model = makeModel();
    TensorMap tensors = filled(*model, "", 2.0);
    tensors.erase("2.weight");
    tensors.erase("2.bias");
    tensors["loss.logvar"] = torch::zeros(1);
    const auto result = ldm::io::loadStateDict(*model, tensors, "", {"loss.", "2."});
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->loaded, 2u);
    EXPECT_EQ(result->ignored, 3u); // 2.weight, 2.bias of the model and loss.logvar
}

TEST(StateDict, ConvertsDtypeOnLoad)
{
    auto model = makeModel();
    TensorMap tensors;
    for (auto& [name, tensor] : filled(*model, "", 0.125))
        tensors[name] = tensor.to(torch::kFloat16);
    const auto result = ldm::io::loadStateDict(*model, tensors);
    ASSERT_TRUE(result.ok()) << result.error().message;
    for (const auto& parameter : model->parameters())
        EXPECT_EQ(parameter.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(allEqual(*model, 0.125));
}

TEST(StateDict, BuffersTakePart)
{
    torch::nn::Sequential model(torch::nn::BatchNorm1d(3));
    TensorMap tensors = filled(*model, "", 1.0);
    EXPECT_EQ(tensors.count("0.running_mean"), 1u);
    tensors.erase("0.running_var");
    const auto result = ldm::io::loadStateDict(*model, tensors);
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(contains(result.error().message, "missing: 0.running_var [3]"))
        << result.error().message;
}

TEST(StateDict, StateDictReturnsIndependentContiguousCopies)
{
    auto model = makeModel();
    const auto saved = ldm::io::stateDict(*model, "p.");
    ASSERT_EQ(saved.size(), 4u);
    ASSERT_EQ(saved.count("p.0.weight"), 1u);
    const torch::Tensor copy = saved.at("p.0.weight");
    EXPECT_TRUE(copy.is_contiguous());
    EXPECT_FALSE(copy.requires_grad());
    {
        torch::NoGradGuard noGrad;
        model->parameters()[0].fill_(9.0);
    }
    EXPECT_FALSE(torch::all(copy == 9.0).item<bool>());
}
