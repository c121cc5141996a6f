// SPDX-License-Identifier: GPL-3.0-or-later
// The public engine end to end on tiny random-weight models: reproducibility, cancellation,
// previews, seam-free tiling and clear errors for bad requests.
#include "ldm/engine.h"
#include "io/image_files.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <filesystem>
#include <map>

namespace ldm {
namespace {

class PipelineTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("pipeline");
        for (const char* kind : {"text", "map", "superres", "class"})
            s_models[kind] = testing::writeTinyModel(s_dir, kind);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    std::unique_ptr<Engine> engineWith(const std::string& kind, int threads = 2)
    {
        EngineOptions options;
        options.threads = threads;
        options.device = "cpu";
        auto engine = Engine::create(options);
        EXPECT_TRUE(engine.ok());
        auto info = (*engine)->loadModel(s_models[kind]);
        EXPECT_TRUE(info.ok()) << info.error().message;
        return std::move(engine.value());
    }

    static GenerateRequest textRequest()
    {
        GenerateRequest request;
        request.recipe.task = "txt2img";
        request.recipe.prompt = "snowy mountains above a lake";
        request.recipe.negativePrompt = "cloudy";
        request.recipe.sampler = "ddim";
        request.recipe.steps = 4;
        request.recipe.guidanceScale = 3.0;
        request.recipe.seed = 1234;
        request.recipe.width = 32;
        request.recipe.height = 48;
        return request;
    }

    static inline std::string s_dir;
    static inline std::map<std::string, std::string> s_models;
};

TEST_F(PipelineTest, SameSeedGivesSamePixelsEverySampler)
{
    auto engine = engineWith("text");
    for (const char* sampler : {"ddim", "plms", "ddpm", "dpmpp2m", "euler", "euler_a", "heun",
                                "lms", "dpm2_a", "dpmpp_2s_a", "dpmpp_2m", "dpmpp_3m_sde"}) {
        GenerateRequest request = textRequest();
        request.recipe.sampler = sampler;
        // The k-diffusion ones with A1111's generators, ancestral noise included.
        request.recipe.rng = std::string(sampler).find('_') != std::string::npos ? "nv" : "cpu";
        request.recipe.eta = std::string(sampler) == "ddim" ? 0.5 : 0.0;
        auto first = engine->generate(request);
        auto second = engine->generate(request);
        ASSERT_TRUE(first.ok()) << sampler << ": " << first.error().message;
        ASSERT_TRUE(second.ok());
        EXPECT_EQ(first->image.width, 32);
        EXPECT_EQ(first->image.height, 48);
        EXPECT_EQ(first->image.pixels, second->image.pixels) << sampler;
        EXPECT_EQ(first->recipe.sampler, sampler);
        EXPECT_FALSE(first->recipe.modelHash.empty());
    }
}

TEST_F(PipelineTest, OneAndTwoThreadsGiveSamePixels)
{
    auto one = engineWith("text", 1)->generate(textRequest());
    auto two = engineWith("text", 2)->generate(textRequest());
    ASSERT_TRUE(one.ok() && two.ok());
    EXPECT_EQ(one->image.pixels, two->image.pixels);
}

TEST_F(PipelineTest, DifferentSeedsDiffer)
{
    auto engine = engineWith("text");
    GenerateRequest request = textRequest();
    auto first = engine->generate(request);
    request.recipe.seed += 1;
    auto second = engine->generate(request);
    ASSERT_TRUE(first.ok() && second.ok());
    EXPECT_NE(first->image.pixels, second->image.pixels);
}

TEST_F(PipelineTest, AVariationSeedLeansTheNoiseTowardItsOwn)
{
    // Strength 0 is the seed's picture, 1 the variation seed's (DDIM with eta 0 draws no noise
    // after x_T), and between them something else; the recipe keeps both.
    auto engine = engineWith("text");
    for (const char* rng : {"cpu", "ours"}) {
        GenerateRequest request = textRequest();
        request.recipe.rng = rng;
        auto plain = engine->generate(request);
        request.recipe.seed = 99;
        auto other = engine->generate(request);
        request.recipe.seed = 1234;
        request.recipe.variationSeed = 99;
        request.recipe.variationStrength = 0.5;
        auto between = engine->generate(request);
        request.recipe.variationStrength = 1.0;
        auto full = engine->generate(request);
        ASSERT_TRUE(plain.ok() && other.ok() && between.ok() && full.ok()) << rng;
        EXPECT_NE(between->image.pixels, plain->image.pixels) << rng;
        EXPECT_NE(between->image.pixels, other->image.pixels) << rng;
        size_t far = 0;
        for (size_t i = 0; i < full->image.pixels.size(); ++i)
            far += std::abs(int(full->image.pixels[i]) - int(other->image.pixels[i])) > 1;
        EXPECT_EQ(far, 0u) << rng << ": strength 1 is the variation seed's picture";
        EXPECT_EQ(between->recipe.variationSeed, 99u);
        EXPECT_DOUBLE_EQ(between->recipe.variationStrength, 0.5);
    }
}

TEST_F(PipelineTest, CancelActsWithinOneStepAndPreviewsArrive)
{
    auto engine = engineWith("text");
    GenerateRequest request = textRequest();
    request.recipe.steps = 10;
    request.cancel = std::make_shared<CancelToken>();
    int progressCalls = 0;
    int lastStep = 0;
    int previews = 0;
    request.onProgress = [&](const ProgressInfo& info) {
        ++progressCalls;
        lastStep = info.step;
        if (info.step == 3)
            request.cancel->cancel();
    };
    request.onPreview = [&](const PreviewFrame& frame) {
        ++previews;
        EXPECT_FALSE(frame.image.empty());
    };
    auto result = engine->generate(request);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::Cancelled);
    EXPECT_EQ(lastStep, 3) << "no sampler step may run after the cancel";
    EXPECT_EQ(previews, 2) << "previews of steps 1 and 2; none once cancelled";
}

TEST_F(PipelineTest, EtaFollowsTheLatestStepsNotTheMeanSinceTheStart)
{
    // The first steps are fast, the later ones slow (the callback sleeps, as a machine that got
    // busy would): the ETA near the end must reflect the slow steps. The mean since the start
    // would give little more than half of it.
    auto engine = engineWith("text", 1);
    GenerateRequest request = textRequest();
    request.recipe.steps = 16;
    constexpr double SlowStep = 0.3; // far above a tiny-model step, even on a loaded machine
    std::map<int, double> etaAtStep;
    int total = 0;
    request.onProgress = [&](const ProgressInfo& info) {
        if (info.step < 1 || info.stage != "sampling")
            return;
        total = info.total;
        etaAtStep[info.step] = info.etaSeconds;
        if (info.step >= 6)
            std::this_thread::sleep_for(std::chrono::duration<double>(SlowStep));
    };
    auto result = engine->generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_GE(total, 16);
    ASSERT_EQ(etaAtStep.count(total), 1u);
    EXPECT_EQ(etaAtStep[total], 0.0);
    const double twoStepsLeft = etaAtStep[total - 2];
    EXPECT_GT(twoStepsLeft, 2 * SlowStep * 0.75) << "ETA two steps before the end";
    EXPECT_LT(twoStepsLeft, 2 * SlowStep * 2.5);
}

TEST_F(PipelineTest, PaintUsesTheMapAndRejectsUnknownClasses)
{
    auto engine = engineWith("map");
    GenerateRequest request;
    request.recipe.task = "paint";
    request.recipe.sampler = "ddim";
    request.recipe.steps = 3;
    request.recipe.width = 64;
    request.recipe.height = 32;
    request.map.width = 64;
    request.map.height = 32;
    request.map.ids.assign(64 * 32, 0);
    for (int y = 16; y < 32; ++y)
        for (int x = 0; x < 64; ++x)
            request.map.ids[size_t(y) * 64 + size_t(x)] = 5;
    auto water = engine->generate(request);
    ASSERT_TRUE(water.ok()) << water.error().message;
    EXPECT_FALSE(water->recipe.mapHash.empty());
    std::fill(request.map.ids.begin(), request.map.ids.end(), 7);
    auto grass = engine->generate(request);
    ASSERT_TRUE(grass.ok());
    EXPECT_NE(water->image.pixels, grass->image.pixels) << "the map must condition the result";
    EXPECT_NE(water->recipe.mapHash, grass->recipe.mapHash);
    request.map.ids[0] = 12;
    auto bad = engine->generate(request);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("class id 12"), std::string::npos) << bad.error().message;
}

TEST_F(PipelineTest, BadRequestsGetClearErrors)
{
    auto engine = engineWith("text");
    GenerateRequest request = textRequest();
    request.recipe.width = 30;
    auto notMultiple = engine->generate(request);
    ASSERT_FALSE(notMultiple.ok());
    EXPECT_NE(notMultiple.error().message.find("multiples of 4"), std::string::npos);
    request.recipe.width = 100000;
    EXPECT_EQ(engine->generate(request).error().code, ErrorCode::InvalidRequest);
    request = textRequest();
    request.recipe.sampler = "euler_b"; // "euler" is A1111's Euler now; this one exists nowhere
    EXPECT_NE(engine->generate(request).error().message.find("unknown sampler"), std::string::npos);
    request = textRequest();
    request.recipe.task = "upscale";
    EXPECT_NE(engine->generate(request).error().message.find("cannot do task"), std::string::npos);
    request = textRequest();
    request.recipe.prompt = std::string(2000, 'a') + " lake";
    auto truncated = engine->generate(request);
    ASSERT_TRUE(truncated.ok());
    EXPECT_FALSE(truncated->warnings.empty());
    auto missing = engine->loadModel("/no/such/model.safetensors");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no model"), std::string::npos);
}

TEST_F(PipelineTest, ClassConditionalModelTakesAClassId)
{
    auto engine = engineWith("class");
    GenerateRequest request;
    request.recipe.sampler = "ddim";
    request.recipe.steps = 2;
    request.recipe.width = 16;
    request.recipe.height = 16;
    request.recipe.prompt = "3";
    auto three = engine->generate(request);
    ASSERT_TRUE(three.ok()) << three.error().message;
    request.recipe.prompt = "4";
    auto four = engine->generate(request);
    ASSERT_TRUE(four.ok());
    EXPECT_NE(three->image.pixels, four->image.pixels);
    request.recipe.prompt = "a cat";
    auto bad = engine->generate(request);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("class id from 0 to 4"), std::string::npos);
}

RgbImage gradientImage(int width, int height)
{
    RgbImage image;
    image.width = width;
    image.height = height;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixels.push_back(uint8_t((x * 5 + y * 3 + c * 40) % 256));
    return image;
}

double meanAbsDiff(const RgbImage& a, const RgbImage& b)
{
    double sum = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        sum += std::abs(int(a.pixels[i]) - int(b.pixels[i]));
    return sum / double(a.pixels.size());
}

TEST_F(PipelineTest, RecipesNameTheVersionCMakeDeclares)
{
    EXPECT_EQ(engineVersion(), std::string("latent-canvas ") + LDM_TEST_PROJECT_VERSION);
    auto engine = engineWith("text", 1);
    GenerateRequest request = textRequest();
    request.recipe.steps = 2;
    auto result = engine->generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->recipe.engineVersion, engineVersion());
}

TEST_F(PipelineTest, UpscaleRefusesSamplersThatStepBetweenTimesteps)
{
    auto engine = engineWith("superres");
    GenerateRequest request;
    request.recipe.task = "upscale";
    request.recipe.sampler = "euler_a";
    request.recipe.steps = 3;
    request.input = gradientImage(16, 16);
    auto refused = engine->generate(request);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidRequest);
    EXPECT_NE(refused.error().message.find("to upscale"), std::string::npos)
        << refused.error().message;
}

TEST_F(PipelineTest, TiledUpscaleMatchesUntiledWithoutSeams)
{
    auto engine = engineWith("superres");
    GenerateRequest request;
    request.recipe.task = "upscale";
    request.recipe.sampler = "ddim";
    request.recipe.steps = 3;
    request.recipe.seed = 5;
    request.input = gradientImage(40, 24);
    request.recipe.tileSize = 0; // the whole 40×24 input (= latent) at once
    auto untiled = engine->generate(request);
    ASSERT_TRUE(untiled.ok()) << untiled.error().message;
    EXPECT_EQ(untiled->image.width, 160);
    EXPECT_EQ(untiled->image.height, 96);
    request.recipe.tileSize = 16; // 16×16 input (= latent) tiles: several in each direction
    auto tiled = engine->generate(request);
    ASSERT_TRUE(tiled.ok()) << tiled.error().message;
    EXPECT_EQ(tiled->recipe.tileSize, 16);
    const double diff = meanAbsDiff(untiled->image, tiled->image);
    // Random weights give tiles a wide receptive field, so tiling changes pixels somewhat; it
    // must stay far below what another seed changes.
    request.recipe.seed = 6;
    auto otherSeed = engine->generate(request);
    ASSERT_TRUE(otherSeed.ok());
    const double seedDiff = meanAbsDiff(tiled->image, otherSeed->image);
    std::printf("mean |tiled - untiled| = %.3f, |seed 5 - seed 6| = %.3f (of 255)\n", diff,
                seedDiff);
    EXPECT_LT(diff, 0.5 * seedDiff);
    // A seam would show as a jump between neighbouring columns at tile borders that the
    // untiled image does not have.
    auto columnJump = [](const RgbImage& image, int x) {
        double sum = 0;
        for (int y = 0; y < image.height; ++y)
            for (int c = 0; c < 3; ++c) {
                const size_t i = (size_t(y) * size_t(image.width) + size_t(x)) * 3 + size_t(c);
                sum += std::abs(int(image.pixels[i]) - int(image.pixels[i - 3]));
            }
        return sum / (image.height * 3);
    };
    for (int border : {48, 64, 96, 112}) {
        EXPECT_LT(columnJump(tiled->image, border), columnJump(untiled->image, border) + 8.0)
            << "column " << border;
    }
}

TEST_F(PipelineTest, RecipeRoundTripsThroughPngChunks)
{
    auto engine = engineWith("text");
    auto result = engine->generate(textRequest());
    ASSERT_TRUE(result.ok());
    const std::string path = s_dir + "/out.png";
    ASSERT_TRUE(writePng(path, result->image,
                         {{"parameters", toA1111Parameters(result->recipe)}})
                    .ok());
    auto text = readPngText(path);
    ASSERT_TRUE(text.ok());
    auto recipe = recipeFromA1111Parameters(text->at("parameters"));
    ASSERT_TRUE(recipe.ok());
    EXPECT_EQ(recipe->seed, 1234u);
    EXPECT_EQ(recipe->prompt, "snowy mountains above a lake");
    auto reread = readImage(path);
    ASSERT_TRUE(reread.ok());
    EXPECT_EQ(reread->pixels, result->image.pixels);
    // Replaying the recipe gives the same pixels.
    GenerateRequest replay;
    replay.recipe = *recipe;
    replay.recipe.task = "txt2img";
    auto again = engine->generate(replay);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->image.pixels, result->image.pixels);
}

} // namespace
} // namespace ldm
