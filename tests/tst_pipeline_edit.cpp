// SPDX-License-Identifier: GPL-3.0-or-later
// Editing an image end to end on a tiny random-weight text model: img2img strength behaves as
// SDEdit says (0 = the first stage's reconstruction, 1 = txt2img), inpainting never touches a
// kept pixel, and bad inputs get errors a person can act on.
#include "checkpoint/latent_diffusion.h"
#include "ldm/engine.h"
#include "ldm/recipe.h"
#include "pipeline/image_convert.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

namespace ldm {
namespace {

constexpr int Side = 32;

class PipelineEditTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("pipeline_edit");
        s_model = testing::writeTinyModel(s_dir, "text");
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    std::unique_ptr<Engine> engine()
    {
        EngineOptions options;
        options.threads = 2;
        options.device = "cpu";
        auto engine = Engine::create(options);
        EXPECT_TRUE(engine.ok());
        auto info = (*engine)->loadModel(s_model);
        EXPECT_TRUE(info.ok()) << info.error().message;
        return std::move(engine.value());
    }

    /// A smooth gradient with some noise: a plausible photo stand-in of the given size.
    static RgbImage inputImage(int width = Side, int height = Side)
    {
        RgbImage image{width, height, std::vector<uint8_t>(size_t(width) * size_t(height) * 3)};
        std::mt19937 random(7);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                for (int c = 0; c < 3; ++c)
                    image.pixels[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(c)] =
                        uint8_t((x * 6 + y * 3 + c * 40 + int(random() % 20)) % 256);
        return image;
    }

    /// White (fill) inside [lo, hi) on both axes, black elsewhere.
    static RgbImage squareMask(int lo, int hi, int side = Side)
    {
        RgbImage mask{side, side, std::vector<uint8_t>(size_t(side) * size_t(side) * 3, 0)};
        for (int y = lo; y < hi; ++y)
            for (int x = lo; x < hi; ++x)
                for (int c = 0; c < 3; ++c)
                    mask.pixels[(size_t(y) * size_t(side) + size_t(x)) * 3 + size_t(c)] = 255;
        return mask;
    }

    static GenerateRequest editRequest(const std::string& task, double strength)
    {
        GenerateRequest request;
        request.recipe.task = task;
        request.recipe.prompt = "a lake at dawn";
        request.recipe.sampler = "ddim";
        request.recipe.steps = 10;
        request.recipe.guidanceScale = 3.0;
        request.recipe.seed = 99;
        request.recipe.strength = strength;
        request.input = inputImage();
        if (task == "inpaint")
            request.mask = squareMask(8, 24);
        return request;
    }

    static double meanDistance(const RgbImage& a, const RgbImage& b)
    {
        double sum = 0;
        for (size_t i = 0; i < a.pixels.size(); ++i)
            sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
        return sum / double(a.pixels.size());
    }

    static inline std::string s_dir;
    static inline std::string s_model;
};

TEST_F(PipelineEditTest, ModelOffersEditTasks)
{
    auto info = engine()->modelInfo();
    ASSERT_TRUE(info.ok());
    for (const char* task : {"txt2img", "img2img", "inpaint"})
        EXPECT_NE(std::find(info->tasks.begin(), info->tasks.end(), task), info->tasks.end())
            << task;
}

TEST_F(PipelineEditTest, InpaintKeepsEveryUnmaskedPixelExactly)
{
    // Exact, not within a level: the feathered paste gives kept pixels weight 0 and copies them.
    auto e = engine();
    const GenerateRequest request = editRequest("inpaint", 1.0);
    auto result = e->generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->image.width, Side);
    ASSERT_EQ(result->image.height, Side);
    size_t changedInside = 0;
    size_t inside = 0;
    for (size_t i = 0; i < result->image.pixels.size(); ++i) {
        const bool filled = request.mask.pixels[i] == 255;
        if (!filled) {
            ASSERT_EQ(result->image.pixels[i], request.input.pixels[i]) << "byte " << i;
        } else {
            ++inside;
            changedInside += result->image.pixels[i] != request.input.pixels[i];
        }
    }
    EXPECT_GT(changedInside, inside / 2) << changedInside << " of " << inside;
    EXPECT_EQ(result->recipe.task, "inpaint");
    EXPECT_FALSE(result->recipe.inputImageHash.empty());
    EXPECT_FALSE(result->recipe.maskHash.empty());
    // Same seed, same pixels.
    auto again = e->generate(request);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->image.pixels, result->image.pixels);
}

TEST_F(PipelineEditTest, AFeatheredMaskIsTheBlendWeightOfTheNewPicture)
{
    // Left half grey 200 (regenerated, soft), right half black (kept). The same left half in
    // white samples the same latents, so the soft result is the input mixed with the hard
    // result by 200/255, and the black half is the input byte for byte.
    const auto halfMask = [](uint8_t level) {
        RgbImage mask{Side, Side, std::vector<uint8_t>(size_t(Side) * Side * 3, 0)};
        for (int y = 0; y < Side; ++y)
            for (int x = 0; x < Side / 2; ++x)
                for (int c = 0; c < 3; ++c)
                    mask.pixels[(size_t(y) * Side + size_t(x)) * 3 + size_t(c)] = level;
        return mask;
    };
    auto e = engine();
    GenerateRequest request = editRequest("inpaint", 1.0);
    request.mask = halfMask(255);
    auto hard = e->generate(request);
    request.mask = halfMask(200);
    auto soft = e->generate(request);
    ASSERT_TRUE(hard.ok()) << hard.error().message;
    ASSERT_TRUE(soft.ok()) << soft.error().message;
    const float weight = 200.0f / 255.0f;
    size_t mixed = 0;
    for (int y = 0; y < Side; ++y)
        for (int x = 0; x < Side; ++x)
            for (int c = 0; c < 3; ++c) {
                const size_t i = (size_t(y) * Side + size_t(x)) * 3 + size_t(c);
                const uint8_t kept = request.input.pixels[i];
                if (x >= Side / 2) {
                    ASSERT_EQ(soft->image.pixels[i], kept) << "kept pixel " << x << "," << y;
                } else if (x < Side / 4) { // far from the seam, where the hard paste is pure
                    const auto expected = uint8_t(std::lround(
                        float(kept) * (1.0f - weight) + float(hard->image.pixels[i]) * weight));
                    ASSERT_EQ(soft->image.pixels[i], expected) << "mixed pixel " << x << "," << y;
                    mixed += soft->image.pixels[i] != hard->image.pixels[i];
                }
            }
    EXPECT_GT(mixed, size_t(Side * Side / 8)) << "the soft mask changed too little";
}

TEST_F(PipelineEditTest, Img2ImgDistanceGrowsWithStrength)
{
    // A random-weight autoencoder reconstructs nothing like the input, so the distance is
    // measured to what the sampler starts from: the input's reconstruction (strength 0).
    auto e = engine();
    auto kept = e->generate(editRequest("img2img", 0.0));
    auto low = e->generate(editRequest("img2img", 0.25));
    auto high = e->generate(editRequest("img2img", 0.9));
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    ASSERT_TRUE(low.ok()) << low.error().message;
    ASSERT_TRUE(high.ok()) << high.error().message;
    const double near = meanDistance(low->image, kept->image);
    const double far = meanDistance(high->image, kept->image);
    std::printf("img2img mean distance to the reconstruction: strength 0.25 -> %.2f, "
                "0.9 -> %.2f (to the input itself: %.2f, %.2f)\n",
                near, far, meanDistance(low->image, inputImage()),
                meanDistance(high->image, inputImage()));
    EXPECT_LT(near, far);
    EXPECT_DOUBLE_EQ(low->recipe.strength, 0.25);
    EXPECT_EQ(low->recipe.width, Side);
}

TEST_F(PipelineEditTest, StrengthZeroGivesTheReconstruction)
{
    auto result = engine()->generate(editRequest("img2img", 0.0));
    ASSERT_TRUE(result.ok()) << result.error().message;
    auto model = LatentDiffusion::load(s_model);
    ASSERT_TRUE(model.ok()) << model.error().message;
    c10::InferenceMode guard;
    const FirstStage& stage = *model->firstStage();
    const double scale = model->scaleFactor();
    const torch::Tensor z = stage.encodeLatent(imageToTensor(inputImage())) * scale;
    const RgbImage expected = tensorToImage(stage.decodeLatent(z / scale));
    EXPECT_EQ(result->image.pixels, expected.pixels);
}

TEST_F(PipelineEditTest, StrengthOneIsTxt2Img)
{
    auto e = engine();
    GenerateRequest edit = editRequest("img2img", 1.0);
    GenerateRequest plain = edit;
    plain.recipe.task = "txt2img";
    plain.recipe.width = Side;
    plain.recipe.height = Side;
    plain.input = {};
    auto a = e->generate(edit);
    auto b = e->generate(plain);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->image.pixels, b->image.pixels);
}

TEST_F(PipelineEditTest, EverySamplerStartsPartWay)
{
    auto e = engine();
    auto kept = e->generate(editRequest("img2img", 0.0));
    ASSERT_TRUE(kept.ok());
    for (const char* sampler : {"ddim", "plms", "ddpm", "dpmpp2m"}) {
        GenerateRequest request = editRequest("img2img", 0.5);
        request.recipe.sampler = sampler;
        int steps = 0;
        request.onProgress = [&](const ProgressInfo& info) { steps = std::max(steps, info.step); };
        auto first = e->generate(request);
        auto second = e->generate(request);
        ASSERT_TRUE(first.ok()) << sampler << ": " << first.error().message;
        ASSERT_TRUE(second.ok());
        EXPECT_EQ(first->image.pixels, second->image.pixels) << sampler;
        EXPECT_NE(first->image.pixels, kept->image.pixels) << sampler;
        EXPECT_EQ(steps, 5) << sampler << ": half of 10 steps should run";
    }
}

TEST_F(PipelineEditTest, KDiffusionImg2ImgRunsA1111sLastSteps)
{
    // A1111: t_enc = int(min(strength, 0.999) · steps) and the run takes the last t_enc + 1
    // steps of the schedule, ancestral and SDE samplers included.
    auto e = engine();
    auto kept = e->generate(editRequest("img2img", 0.0));
    ASSERT_TRUE(kept.ok());
    for (const char* sampler : {"Euler a", "DPM++ 2M", "DPM++ 2M SDE"}) {
        for (const auto& [strength, expectedSteps] : {std::pair{0.5, 6}, std::pair{1.0, 10}}) {
            GenerateRequest request = editRequest("img2img", strength);
            request.recipe.sampler = sampler;
            request.recipe.rng = "cpu";
            int steps = 0;
            request.onProgress = [&](const ProgressInfo& info) {
                steps = std::max(steps, info.step);
            };
            auto first = e->generate(request);
            ASSERT_TRUE(first.ok()) << sampler << ": " << first.error().message;
            auto second = e->generate(request);
            ASSERT_TRUE(second.ok());
            EXPECT_EQ(first->image.pixels, second->image.pixels) << sampler;
            EXPECT_NE(first->image.pixels, kept->image.pixels) << sampler;
            EXPECT_EQ(steps, expectedSteps) << sampler << " at strength " << strength;
        }
    }
    GenerateRequest inpaint = editRequest("inpaint", 0.5);
    inpaint.recipe.sampler = "Euler a";
    auto refused = e->generate(inpaint);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("inpaint"), std::string::npos)
        << refused.error().message;
}

TEST_F(PipelineEditTest, RecipeKeepsStrengthAndHashes)
{
    auto result = engine()->generate(editRequest("img2img", 0.4));
    ASSERT_TRUE(result.ok()) << result.error().message;
    const Recipe& recipe = result->recipe;
    EXPECT_FALSE(recipe.inputImageHash.empty());
    auto fromJson = recipeFromJson(toJson(recipe));
    ASSERT_TRUE(fromJson.ok()) << fromJson.error().message;
    EXPECT_EQ(*fromJson, recipe);
    const std::string text = toA1111Parameters(recipe);
    EXPECT_NE(text.find("Denoising strength: 0.4"), std::string::npos) << text;
    auto fromText = recipeFromA1111Parameters(text);
    ASSERT_TRUE(fromText.ok());
    EXPECT_EQ(fromText->task, "img2img");
    EXPECT_DOUBLE_EQ(fromText->strength, 0.4);
}

TEST_F(PipelineEditTest, BadInputsGiveClearErrors)
{
    auto e = engine();
    auto expectError = [&](const GenerateRequest& request, const std::string& words) {
        auto result = e->generate(request);
        ASSERT_FALSE(result.ok()) << "expected an error about " << words;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
    };
    GenerateRequest request = editRequest("inpaint", 1.0);
    request.mask = squareMask(4, 8, 16);
    expectError(request, "same size");
    request.mask = squareMask(0, 0);
    expectError(request, "nothing to fill");
    request.mask = {};
    expectError(request, "needs a mask");
    request = editRequest("img2img", 1.5);
    expectError(request, "strength");
    request = editRequest("img2img", -0.1);
    expectError(request, "strength");
    request = editRequest("img2img", 0.5);
    request.input = inputImage(30, 30);
    expectError(request, "multiples of");
    request.input = {};
    expectError(request, "no input image");
}

} // namespace
} // namespace ldm
