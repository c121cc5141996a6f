// SPDX-License-Identifier: GPL-3.0-or-later
// Stable Diffusion files end to end on tiny random-weight SD-1 and SD-2 layouts: a file without
// configuration is recognised, prompts are read as A1111 reads them (emphasis, chunks of 75
// tokens, CLIP skip), the same weights as .ckpt and .safetensors give the same pixels, and an
// SD-2 file predicts v unless told otherwise.
#include "core/safetensors.h"
#include "ldm/engine.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <filesystem>
#include <fstream>

namespace ldm {
namespace {

class SdPipelineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("sd1");
        s_model = testing::writeTinyModel(s_dir, "sd1");
        s_sd2 = testing::writeTinyModel(s_dir, "sd2");
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    static std::unique_ptr<Engine> engineWith(const std::string& path, ModelInfo* info = nullptr,
                                              const std::string& prediction = {})
    {
        EngineOptions options;
        options.threads = 1;
        options.device = "cpu";
        auto engine = Engine::create(options);
        EXPECT_TRUE(engine.ok());
        auto loaded = (*engine)->loadModel(path, {}, prediction);
        EXPECT_TRUE(loaded.ok()) << loaded.error().message;
        if (info && loaded.ok())
            *info = loaded.value();
        return std::move(engine.value());
    }

    static GenerateRequest request(const std::string& prompt, int clipSkip = 1)
    {
        GenerateRequest r;
        r.recipe.task = "txt2img";
        r.recipe.prompt = prompt;
        r.recipe.sampler = "ddim";
        r.recipe.steps = 3;
        r.recipe.guidanceScale = 7.5;
        r.recipe.seed = 42;
        r.recipe.width = 32;
        r.recipe.height = 32;
        r.recipe.clipSkip = clipSkip;
        return r;
    }

    static std::vector<uint8_t> pixels(Engine& engine, const GenerateRequest& r)
    {
        auto result = engine.generate(r);
        EXPECT_TRUE(result.ok()) << result.error().message;
        return result.ok() ? result->image.pixels : std::vector<uint8_t>();
    }

    static inline std::string s_dir, s_model, s_sd2;
};

TEST_F(SdPipelineTest, FileWithoutConfigurationIsRecognised)
{
    ModelInfo info;
    engineWith(s_model, &info);
    EXPECT_EQ(info.family, "Stable Diffusion 1.x");
    EXPECT_EQ(info.clipLayers, 2);
    EXPECT_TRUE(info.takesText);
    EXPECT_NE(info.description.find("guessed"), std::string::npos)
        << "head counts are guesses and must be named as such:\n" << info.description;
}

TEST_F(SdPipelineTest, EmphasisLongPromptsAndClipSkipChangeTheImage)
{
    auto engine = engineWith(s_model);
    const auto plain = pixels(*engine, request("a red house by the sea"));
    ASSERT_FALSE(plain.empty());
    EXPECT_EQ(plain, pixels(*engine, request("a red house by the sea")));
    EXPECT_NE(plain, pixels(*engine, request("a (red:1.6) house by the sea")));
    EXPECT_NE(plain, pixels(*engine, request("a red house by the sea", 2)));

    // 120 words: two chunks of 75 tokens; the second chunk must reach the model.
    std::string words;
    for (int i = 0; i < 120; ++i)
        words += i < 60 ? "house " : "tree ";
    std::string cut;
    for (int i = 0; i < 75; ++i)
        cut += i < 60 ? "house " : "tree ";
    auto longResult = engine->generate(request(words));
    ASSERT_TRUE(longResult.ok()) << longResult.error().message;
    EXPECT_TRUE(longResult->warnings.empty()) << "A1111 prompts are chunked, not truncated";
    EXPECT_NE(longResult->image.pixels, pixels(*engine, request(cut)));
}

TEST_F(SdPipelineTest, ClipSkipIsRecordedAndCheckedAgainstTheModel)
{
    auto engine = engineWith(s_model);
    auto skipped = engine->generate(request("a house", 2));
    ASSERT_TRUE(skipped.ok()) << skipped.error().message;
    EXPECT_EQ(skipped->recipe.clipSkip, 2);
    EXPECT_NE(toA1111Parameters(skipped->recipe).find("Clip skip: 2"), std::string::npos);
    auto tooDeep = engine->generate(request("a house", 3));
    ASSERT_FALSE(tooDeep.ok());
    EXPECT_NE(tooDeep.error().message.find("clip skip"), std::string::npos)
        << tooDeep.error().message;
}

TEST_F(SdPipelineTest, CkptAndSafetensorsOfTheSameWeightsGiveIdenticalPixels)
{
    auto file = io::SafetensorsFile::open(s_model);
    ASSERT_TRUE(file.ok());
    // A Lightning-style training checkpoint: {"state_dict": {...}, "global_step": n}.
    c10::Dict<std::string, at::Tensor> weights;
    for (const auto& info : file->tensors())
        weights.insert(info.name, file->tensor(info.name).clone());
    c10::impl::GenericDict top(c10::StringType::get(), c10::AnyType::get());
    top.insert("state_dict", weights);
    top.insert("global_step", int64_t{470000});
    const std::vector<char> bytes = torch::pickle_save(top);
    const std::string ckpt = s_dir + "/same-weights.ckpt";
    std::ofstream(ckpt, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));

    const auto fromSafetensors = pixels(*engineWith(s_model), request("a castle"));
    const auto fromCkpt = pixels(*engineWith(ckpt), request("a castle"));
    ASSERT_FALSE(fromSafetensors.empty());
    EXPECT_EQ(fromSafetensors, fromCkpt);
}

TEST_F(SdPipelineTest, EmaCopyIsIgnoredAsTheReferenceDoes)
{
    // SD files sample with model.diffusion_model.* even when model_ema.* is present
    // (v1-inference.yaml: use_ema False). Add a garbage EMA copy: the image must not change.
    auto file = io::SafetensorsFile::open(s_model);
    ASSERT_TRUE(file.ok());
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& info : file->tensors()) {
        tensors.emplace_back(info.name, file->tensor(info.name));
        const std::string prefix = "model.diffusion_model.";
        if (info.name.rfind(prefix, 0) == 0) {
            std::string dotless = "diffusion_model." + info.name.substr(prefix.size());
            dotless.erase(std::remove(dotless.begin(), dotless.end(), '.'), dotless.end());
            tensors.emplace_back("model_ema." + dotless,
                                 torch::randn_like(file->tensor(info.name).to(torch::kFloat)));
        }
    }
    const std::string withEma = s_dir + "/with-ema.safetensors";
    ASSERT_TRUE(io::writeSafetensors(withEma, tensors, {{"format", "pt"}}).ok());
    EXPECT_EQ(pixels(*engineWith(s_model), request("a castle")),
              pixels(*engineWith(withEma), request("a castle")));
}

TEST_F(SdPipelineTest, CompVisTextModelReadsPromptsWithWordPiece)
{
    const std::string bert = testing::writeTinyModel(s_dir, "bert");
    ModelInfo info;
    auto engine = engineWith(bert, &info);
    EXPECT_EQ(info.family, "CompVis LDM text-to-image");
    const auto a = pixels(*engine, request("a painting of a virus monster playing guitar"));
    ASSERT_FALSE(a.empty());
    EXPECT_NE(a, pixels(*engine, request("a photograph of a lighthouse")));
    // More than 75 WordPiece tokens: the BERT model has one 77-token window, so it says so.
    std::string words;
    for (int i = 0; i < 90; ++i)
        words += "house ";
    auto cut = engine->generate(request(words));
    ASSERT_TRUE(cut.ok()) << cut.error().message;
    ASSERT_EQ(cut->warnings.size(), 1u);
    EXPECT_NE(cut->warnings[0].find("truncated"), std::string::npos);
}

TEST_F(SdPipelineTest, PartialMetadataIsCompletedFromTheShapes)
{
    // A combined checkpoint whose metadata has `ddconfig` but no `embed_dim` (and a UNet block
    // without `num_res_blocks`): completed from the tensors, not refused.
    const std::string full = testing::writeTinyModel(s_dir, "text");
    auto file = io::SafetensorsFile::open(full);
    ASSERT_TRUE(file.ok());
    auto metadata = file->metadata();
    ASSERT_EQ(metadata.erase("embed_dim"), 1u);
    auto unet = nlohmann::json::parse(metadata.at("unet"));
    unet.erase("num_res_blocks");
    metadata["unet"] = unet.dump();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& info : file->tensors())
        tensors.emplace_back(info.name, file->tensor(info.name));
    const std::string partial = s_dir + "/partial.safetensors";
    ASSERT_TRUE(io::writeSafetensors(partial, tensors, metadata).ok());
    ModelInfo info;
    auto engine = engineWith(partial, &info);
    EXPECT_NE(info.description.find("embed_dim (from the tensor shapes)"), std::string::npos)
        << info.description;
    EXPECT_EQ(pixels(*engine, request("a lake")), pixels(*engineWith(full), request("a lake")));
}

TEST_F(SdPipelineTest, Sd2FilePredictsVUnlessToldOtherwise)
{
    ModelInfo info;
    auto v = engineWith(s_sd2, &info);
    EXPECT_EQ(info.family, "Stable Diffusion 2.x (v-prediction)");
    EXPECT_EQ(info.prediction, "v");
    EXPECT_EQ(info.trainedSize, 768);
    EXPECT_EQ(info.clipLayers, 0) << "CLIP skip means nothing for OpenCLIP";
    EXPECT_NE(info.description.find("v-prediction"), std::string::npos)
        << "a v/eps choice the weights cannot make must be named as a guess:\n"
        << info.description;
    auto vResult = v->generate(request("a lighthouse at dusk"));
    ASSERT_TRUE(vResult.ok()) << vResult.error().message;
    EXPECT_EQ(vResult->recipe.prediction, "v");
    EXPECT_NE(toA1111Parameters(vResult->recipe).find("Prediction: v"), std::string::npos);

    ModelInfo epsInfo;
    auto eps = engineWith(s_sd2, &epsInfo, "eps");
    EXPECT_EQ(epsInfo.prediction, "eps");
    EXPECT_EQ(epsInfo.trainedSize, 512);
    EXPECT_NE(vResult->image.pixels, pixels(*eps, request("a lighthouse at dusk")));
    EXPECT_FALSE(eps->generate(request("a lighthouse at dusk", 2)).ok())
        << "clip skip must be refused for OpenCLIP, not ignored";
}

} // namespace
} // namespace ldm
