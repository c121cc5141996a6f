// SPDX-License-Identifier: GPL-3.0-or-later
// LoRA: A1111's `<lora:name:weight>` prompt tags, kohya's module names, the short hash, and the
// merge on the tiny SD-1.x fixture model against the reference merge of tests/data/lora
// (make_lora_reference.py: A1111's formula, the reference CLIP and UNet): text contexts and one
// UNet call, taking the LoRAs out restores the weights bit for bit, weight 0 changes nothing,
// and files that fit nothing are clear errors. The engine and CLI checks are in
// tst_lora_pipeline.cpp. Without ../shared the fixture checks skip loudly;
// LDM_REQUIRE_FIXTURES=1 fails them.
#include "support/lora_test_data.h"

#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "lora/lora_file.h"
#include "lora/lora_keys.h"
#include "lora/lora_patcher.h"
#include "lora/lora_prompt.h"
#include "lora/prompt_loras.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ldm {
namespace {

namespace fs = std::filesystem;
using lora::LoraUse;

TEST(LoraPrompt, TakesTagsOutAsA1111Does)
{
    auto parsed = lora::extractPromptNetworks("a cat <lora:foo:0.5>, <lora:bar> on a mat");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->prompt, "a cat ,  on a mat");
    ASSERT_EQ(parsed->loras.size(), 2u);
    EXPECT_EQ(parsed->loras[0].name, "foo");
    EXPECT_EQ(parsed->loras[0].textWeight, 0.5);
    EXPECT_EQ(parsed->loras[0].unetWeight, 0.5);
    EXPECT_EQ(parsed->loras[1].name, "bar"); // no weight: 1
    EXPECT_EQ(parsed->loras[1].textWeight, 1.0);
    EXPECT_EQ(parsed->loras[1].unetWeight, 1.0);
    EXPECT_TRUE(parsed->otherTags.empty());
}

TEST(LoraPrompt, SeparateMultipliersNamedArgumentsAndAliases)
{
    auto parsed = lora::extractPromptNetworks(
        "<lora:a:0.5:0.25><lora:b:te=0.3:unet=-1e-1><lyco:c: .75 ><lora:ロラ:1_0>");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->prompt, "");
    ASSERT_EQ(parsed->loras.size(), 4u);
    EXPECT_EQ(parsed->loras[0].textWeight, 0.5);
    EXPECT_EQ(parsed->loras[0].unetWeight, 0.25);
    EXPECT_EQ(parsed->loras[1].textWeight, 0.3);
    EXPECT_EQ(parsed->loras[1].unetWeight, -0.1);
    EXPECT_EQ(parsed->loras[2].name, "c");
    EXPECT_EQ(parsed->loras[2].unetWeight, 0.75);
    EXPECT_EQ(parsed->loras[3].name, "ロラ");
    EXPECT_EQ(parsed->loras[3].textWeight, 10.0); // Python's float("1_0")
}

TEST(LoraPrompt, TextThatIsNoTagStaysAndOtherKindsAreRemoved)
{
    auto parsed =
        lora::extractPromptNetworks("1 < 2 and 3 > 2, <a b:c>, <:x>, <hypernet:h:1> end <lora:x");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->prompt, "1 < 2 and 3 > 2, <a b:c>, <:x>,  end <lora:x");
    EXPECT_TRUE(parsed->loras.empty());
    ASSERT_EQ(parsed->otherTags.size(), 1u);
    EXPECT_EQ(parsed->otherTags[0], "<hypernet:h:1>");
}

TEST(LoraPrompt, BadMultipliersAreClearErrors)
{
    for (const char* prompt : {"x <lora:foo:abc>", "<lora:foo:>", "<lora:foo:nan>",
                               "<lora:foo:1:0x10>", "<lora:foo:te=>", "<lora::1>"}) {
        auto parsed = lora::extractPromptNetworks(prompt);
        ASSERT_FALSE(parsed.ok()) << prompt;
        EXPECT_EQ(parsed.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(parsed.error().message.find("<lora:"), std::string::npos)
            << parsed.error().message;
    }
    EXPECT_NE(lora::extractPromptNetworks("<lora:foo:abc>").error().message.find("'abc'"),
              std::string::npos);
}

TEST(LoraKeys, DiffusersNamesBecomeLdmNamesForTheLayout)
{
    using lora::unetModuleCandidates;
    const auto first = [](const std::string& name, int64_t resBlocks) {
        return unetModuleCandidates(name, resBlocks).front();
    };
    // SD-1.x: two ResBlocks per level.
    EXPECT_EQ(first("down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", 2),
              "input_blocks_1_1_transformer_blocks_0_attn1_to_q");
    EXPECT_EQ(first("down_blocks_2_attentions_1_proj_in", 2), "input_blocks_8_1_proj_in");
    EXPECT_EQ(first("down_blocks_1_resnets_0_conv_shortcut", 2),
              "input_blocks_4_0_skip_connection");
    EXPECT_EQ(first("down_blocks_2_downsamplers_0_conv", 2), "input_blocks_9_0_op");
    EXPECT_EQ(first("mid_block_attentions_0_proj_out", 2), "middle_block_1_proj_out");
    EXPECT_EQ(first("mid_block_resnets_1_time_emb_proj", 2), "middle_block_2_emb_layers_1");
    EXPECT_EQ(first("up_blocks_1_attentions_2_transformer_blocks_0_ff_net_0_proj", 2),
              "output_blocks_5_1_transformer_blocks_0_ff_net_0_proj");
    EXPECT_EQ(first("up_blocks_3_resnets_2_conv1", 2), "output_blocks_11_0_in_layers_2");
    EXPECT_EQ(unetModuleCandidates("up_blocks_0_upsamplers_0_conv", 2),
              (std::vector<std::string>{"output_blocks_2_2_conv", "output_blocks_2_1_conv"}));
    EXPECT_EQ(first("time_embedding_linear_2", 2), "time_embed_2");
    EXPECT_EQ(first("conv_in", 2), "input_blocks_0_0");
    // One ResBlock per level (the tiny fixture), and LDM-style names left as they are.
    EXPECT_EQ(first("down_blocks_1_attentions_0_proj_in", 1), "input_blocks_3_1_proj_in");
    EXPECT_EQ(first("up_blocks_1_resnets_1_conv2", 1), "output_blocks_3_0_out_layers_3");
    EXPECT_EQ(first("input_blocks_1_1_proj_in", 2), "input_blocks_1_1_proj_in");
    EXPECT_EQ(first("down_blocks_99999999999999999999999_resnets_0_conv1", 2),
              "down_blocks_99999999999999999999999_resnets_0_conv1");
    EXPECT_EQ(lora::flattenModulePath("a.b_c.0"), "a_b_c_0");
}

TEST(LoraFiles, FoundInTheFolderOrItsSubfoldersAndMissingNamesSaySo)
{
    const fs::path dir = fs::temp_directory_path() / ("ldm-lora-find-" + std::to_string(getpid()));
    fs::create_directories(dir / "styles");
    std::ofstream(dir / "top.safetensors") << "x";
    std::ofstream(dir / "styles" / "deep.safetensors") << "x";
    std::ofstream(dir / "old.pt") << "x";
    EXPECT_EQ(*lora::findLoraFile(dir.string(), "top"), (dir / "top.safetensors").string());
    EXPECT_EQ(*lora::findLoraFile(dir.string(), "deep"),
              (dir / "styles" / "deep.safetensors").string());
    auto missing = lora::findLoraFile(dir.string(), "nothere");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::InvalidRequest);
    EXPECT_NE(missing.error().message.find((dir / "nothere.safetensors").string()),
              std::string::npos)
        << missing.error().message;
    ASSERT_TRUE(io::writeSafetensors((dir / "styles" / "style_v2.safetensors").string(),
                                     {{"lora_te_x.alpha", torch::tensor(1.0f)}},
                                     {{"ss_output_name", "my style"}})
                    .ok());
    EXPECT_EQ(*lora::findLoraFile(dir.string(), "my style"), // A1111's alias of the file
              (dir / "styles" / "style_v2.safetensors").string());
    auto pickle = lora::findLoraFile(dir.string(), "old");
    ASSERT_FALSE(pickle.ok());
    EXPECT_NE(pickle.error().message.find("only .safetensors"), std::string::npos);
    EXPECT_FALSE(lora::findLoraFile(dir.string(), "../top").ok());
    EXPECT_FALSE(lora::findLoraFile((dir / "none").string(), "top").ok());
    fs::remove_all(dir);
}

TEST(LoraFiles, ShortHashIsA1111sOfTheTensorData)
{
    auto reference =
        io::SafetensorsFile::open(testing::loraDataDir() + "/lora_reference.safetensors");
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    for (const char* name : {"tiny_lora", "tiny_lora_ldm"}) {
        auto file = io::SafetensorsFile::open(testing::loraDataDir() + "/" + name + ".safetensors");
        ASSERT_TRUE(file.ok());
        auto hash = lora::loraShortHash(*file);
        ASSERT_TRUE(hash.ok()) << hash.error().message;
        EXPECT_EQ(*hash, reference->metadata().at(std::string("hash_") + name));
    }
}

/// The fixture model, loaded once per test (the merge changes it in place).
class LoraMergeTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        const fs::path path = testing::loraFixtureModel();
        if (!fs::exists(path)) {
            if (testing::fixturesRequired())
                FAIL() << "fixture missing: " << path;
            GTEST_SKIP() << "SHARED FIXTURES NOT FOUND (" << path << "): LoRA merge checks skipped";
        }
        auto model = LatentDiffusion::load(path.string());
        ASSERT_TRUE(model.ok()) << model.error().message;
        m_model.emplace(std::move(model.value()));
        for (const auto& [name, tensor] : m_model->stateDict())
            m_original.emplace_back(name, tensor.clone());
        auto reference =
            io::SafetensorsFile::open(testing::loraDataDir() + "/lora_reference.safetensors");
        ASSERT_TRUE(reference.ok());
        m_reference.emplace(std::move(reference.value()));
    }

    torch::Tensor ref(const std::string& name) const
    {
        return m_reference->tensor(name).to(torch::kFloat32);
    }

    static LoraUse use(const std::string& name, double weight)
    {
        return {testing::loraDataDir() + "/" + name + ".safetensors", name, weight, weight};
    }

    /// Every parameter and buffer equal, bit for bit, to what the file loaded.
    void expectOriginalWeights() const
    {
        const auto now = m_model->stateDict();
        ASSERT_EQ(now.size(), m_original.size());
        size_t changed = 0;
        for (const auto& [name, tensor] : m_original)
            changed += torch::equal(now.at(name), tensor) ? 0 : 1;
        EXPECT_EQ(changed, 0u);
    }

    std::optional<LatentDiffusion> m_model;
    std::vector<std::pair<std::string, torch::Tensor>> m_original;
    std::optional<io::SafetensorsFile> m_reference;
};

double maxError(const torch::Tensor& ours, const torch::Tensor& reference)
{
    return (ours.to(torch::kFloat32) - reference).abs().max().item<double>();
}

TEST_F(LoraMergeTest, MergedModelMatchesTheReferenceMergeAndComesOutExactly)
{
    lora::LoraPatcher patcher;
    auto report = patcher.set(*m_model, {use("tiny_lora", 0.8), use("tiny_lora_ldm", 0.5)});
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_GT(report->layers, 100);
    ASSERT_EQ(report->hashes.size(), 2u);
    EXPECT_EQ(report->hashes[0], "tiny_lora: " + m_reference->metadata().at("hash_tiny_lora"));
    ASSERT_EQ(report->warnings.size(), 1u); // tiny_lora_ldm's module for a layer we lack
    EXPECT_NE(report->warnings[0].find("1 of 6 modules"), std::string::npos) << report->warnings[0];
    EXPECT_NE(report->warnings[0].find("lora_unet_input_blocks_9_1_proj_in"), std::string::npos);

    torch::NoGradGuard noGrad;
    const torch::Tensor cond = m_model->encodeTokens(ref("tokens_cond").to(torch::kLong));
    const torch::Tensor uncond = m_model->encodeTokens(ref("tokens_uncond").to(torch::kLong));
    const torch::Tensor refCond = ref("context_cond");
    const double textBound = std::max(1e-4, 1e-5 * refCond.abs().max().item<double>());
    const double condError = maxError(cond, refCond);
    const double uncondError = maxError(uncond, ref("context_uncond"));
    EXPECT_LE(condError, textBound);
    EXPECT_LE(uncondError, textBound);
    const torch::Tensor eps =
        m_model->unet()->forward(ref("eps_x"), ref("eps_t"), torch::cat({uncond, cond}));
    const torch::Tensor refEps = ref("eps_out");
    const double epsBound = std::max(1e-4, 1e-5 * refEps.abs().max().item<double>());
    const double epsError = maxError(eps, refEps);
    EXPECT_LE(epsError, epsBound);
    std::printf("LoRA merge vs reference: context %.3g / %.3g, eps %.3g (bound %.3g)\n", condError,
                uncondError, epsError, epsBound);
    // The same call on the plain model differs: the LoRA did something.
    ASSERT_TRUE(patcher.set(*m_model, {}).ok());
    expectOriginalWeights();
    const torch::Tensor plain = m_model->unet()->forward(
        ref("eps_x"), ref("eps_t"),
        torch::cat({m_model->encodeTokens(ref("tokens_uncond").to(torch::kLong)),
                    m_model->encodeTokens(ref("tokens_cond").to(torch::kLong))}));
    EXPECT_GT(maxError(plain, refEps), 100 * textBound);
}

TEST_F(LoraMergeTest, WeightZeroChangesNothingAndTheSameSetIsNotMergedTwice)
{
    lora::LoraPatcher patcher;
    auto zero = patcher.set(*m_model, {use("tiny_lora", 0.0), use("tiny_lora_ldm", 0.0)});
    ASSERT_TRUE(zero.ok()) << zero.error().message;
    EXPECT_EQ(zero->layers, 0);
    EXPECT_EQ(zero->hashes.size(), 2u); // still listed in the recipe, as A1111 does
    expectOriginalWeights();

    ASSERT_TRUE(patcher.set(*m_model, {use("tiny_lora", 1.0)}).ok());
    const auto once = m_model->stateDict();
    auto again = patcher.set(*m_model, {use("tiny_lora", 1.0)});
    ASSERT_TRUE(again.ok());
    EXPECT_GT(again->layers, 0);
    const auto twice = m_model->stateDict();
    for (const auto& [name, tensor] : once)
        ASSERT_TRUE(torch::equal(tensor, twice.at(name))) << name;
    // A different set replaces the previous one rather than adding to it.
    ASSERT_TRUE(patcher.set(*m_model, {use("tiny_lora", 0.5)}).ok());
    ASSERT_TRUE(patcher.set(*m_model, {use("tiny_lora", 1.0)}).ok());
    const auto replaced = m_model->stateDict();
    for (const auto& [name, tensor] : once)
        ASSERT_TRUE(torch::equal(tensor, replaced.at(name))) << name;
    patcher.restore();
    EXPECT_FALSE(patcher.active());
    expectOriginalWeights();
}

TEST_F(LoraMergeTest, FilesThatFitNothingAreErrorsAndLeaveTheWeights)
{
    const fs::path dir = fs::temp_directory_path() / ("ldm-lora-bad-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const auto write = [&](const std::string& name, const std::string& module,
                           std::vector<int64_t> up, std::vector<int64_t> down) {
        const std::string path = (dir / (name + ".safetensors")).string();
        EXPECT_TRUE(io::writeSafetensors(path, {{module + ".lora_up.weight", torch::ones(up)},
                                                {module + ".lora_down.weight", torch::ones(down)},
                                                {module + ".alpha", torch::tensor(1.0f)}})
                        .ok());
        return LoraUse{path, name, 1.0, 1.0};
    };
    lora::LoraPatcher patcher;
    ASSERT_TRUE(patcher.set(*m_model, {use("tiny_lora", 1.0)}).ok());
    const auto merged = m_model->stateDict();

    auto none = patcher.set(*m_model, {write("sdxl", "lora_te1_text_model_encoder_layers_0_mlp_fc1",
                                             {512, 4}, {4, 128})});
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, ErrorCode::WeightsMismatch);
    EXPECT_NE(none.error().message.find("none of its 1 modules"), std::string::npos)
        << none.error().message;
    auto shape = patcher.set(*m_model, {write("wide", "lora_te_text_model_encoder_layers_0_mlp_fc1",
                                              {512, 4}, {4, 64})});
    ASSERT_FALSE(shape.ok());
    EXPECT_EQ(shape.error().code, ErrorCode::WeightsMismatch);
    EXPECT_NE(shape.error().message.find("lora_te_text_model_encoder_layers_0_mlp_fc1"),
              std::string::npos)
        << shape.error().message;
    EXPECT_NE(shape.error().message.find("[512, 128]"), std::string::npos) << shape.error().message;
    const auto after = m_model->stateDict();
    for (const auto& [name, tensor] : merged) // the failed requests changed nothing
        ASSERT_TRUE(torch::equal(tensor, after.at(name))) << name;
    patcher.restore();
    expectOriginalWeights();
    fs::remove_all(dir);
}

TEST_F(LoraMergeTest, PromptTagsFindFilesInTheFolder)
{
    lora::LoraPatcher patcher;
    auto applied = lora::applyPromptLoras(patcher, *m_model,
                                          "a horse <lora:tiny_lora:0.8>, <lora:tiny_lora_ldm:0.5>",
                                          testing::loraDataDir());
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_EQ(applied->prompt, "a horse , ");
    EXPECT_EQ(applied->hashes,
              "tiny_lora: " + m_reference->metadata().at("hash_tiny_lora") +
                  ", tiny_lora_ldm: " + m_reference->metadata().at("hash_tiny_lora_ldm"));
    auto unknown =
        lora::applyPromptLoras(patcher, *m_model, "<lora:tiny_missing:1>", testing::loraDataDir());
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("tiny_missing.safetensors"), std::string::npos)
        << unknown.error().message;
    auto noFolder = lora::applyPromptLoras(patcher, *m_model, "<lora:tiny_lora:1>", "");
    ASSERT_FALSE(noFolder.ok());
    EXPECT_NE(noFolder.error().message.find("--lora-dir"), std::string::npos);
    auto plain = lora::applyPromptLoras(patcher, *m_model, "a horse", "");
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->hashes.empty());
    expectOriginalWeights();
}

} // namespace
} // namespace ldm
