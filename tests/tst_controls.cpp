// SPDX-License-Identifier: GPL-3.0-or-later
// Settings mean what they say, through the public engine on tiny random-weight models: the
// upscale tile is in input pixels and 0 runs the whole image at once, bf16 is applied wherever
// it is accepted and the precision that ran is recorded, eta is recorded only for the sampler
// that reads it, and the app and the CLI take their sampler defaults from one place.
#include "ldm/engine.h"
#include "ldm/recipe.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <map>

namespace ldm {
namespace {

RgbImage gradient(int width, int height)
{
    RgbImage image;
    image.width = width;
    image.height = height;
    image.pixels.resize(size_t(width) * size_t(height) * 3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixels[(size_t(y) * size_t(width) + size_t(x)) * 3 + size_t(c)] =
                    uint8_t((x * 7 + y * 13 + c * 50) % 256);
    return image;
}

class Controls : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("controls");
        for (const char* kind : {"text", "superres"})
            s_models[kind] = testing::writeTinyModel(s_dir, kind);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    static std::unique_ptr<Engine> engineWith(const std::string& kind)
    {
        EngineOptions options;
        options.threads = 2;
        options.device = "cpu";
        auto engine = Engine::create(options);
        EXPECT_TRUE(engine.ok());
        auto info = (*engine)->loadModel(s_models[kind]);
        EXPECT_TRUE(info.ok()) << info.error().message;
        return std::move(engine.value());
    }

    static GenerateRequest upscaleRequest(int tileSize)
    {
        GenerateRequest request;
        request.recipe.task = "upscale";
        request.recipe.sampler = "ddim";
        request.recipe.steps = 2;
        request.recipe.seed = 9;
        request.recipe.tileSize = tileSize;
        // Wider than 64 latent pixels, the tile "0" used to stand for.
        request.input = gradient(80, 16);
        return request;
    }

    static inline std::string s_dir;
    static inline std::map<std::string, std::string> s_models;
};

TEST_F(Controls, UpscaleTileZeroRunsTheWholeImageAtOnce)
{
    auto engine = engineWith("superres");
    auto whole = engine->generate(upscaleRequest(0));
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_EQ(whole->image.width, 320);
    EXPECT_EQ(whole->recipe.tileSize, 0);
    // One tile as large as the input is the same computation as no tiles.
    auto oneTile = engine->generate(upscaleRequest(80));
    ASSERT_TRUE(oneTile.ok()) << oneTile.error().message;
    EXPECT_EQ(oneTile->recipe.tileSize, 80); // input pixels, as given
    EXPECT_EQ(whole->image.pixels, oneTile->image.pixels);
    // Tiles of 16 input pixels are tiles: the pixels change, and the recipe says 16.
    auto tiled = engine->generate(upscaleRequest(16));
    ASSERT_TRUE(tiled.ok()) << tiled.error().message;
    EXPECT_EQ(tiled->recipe.tileSize, 16);
    EXPECT_NE(whole->image.pixels, tiled->image.pixels);
    // The recipe replays: its tile gives the same pixels again.
    GenerateRequest replay = upscaleRequest(0);
    replay.recipe = tiled->recipe;
    auto again = engine->generate(replay);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->image.pixels, tiled->image.pixels);
}

TEST_F(Controls, Bf16IsAppliedToUpscalingAndRecorded)
{
    auto engine = engineWith("superres");
    GenerateRequest request = upscaleRequest(0);
    auto fp32 = engine->generate(request);
    request.recipe.precision = "bf16";
    auto bf16 = engine->generate(request);
    ASSERT_TRUE(fp32.ok()) << fp32.error().message;
    ASSERT_TRUE(bf16.ok()) << bf16.error().message;
    EXPECT_EQ(fp32->recipe.precision, "fp32");
    EXPECT_EQ(bf16->recipe.precision, "bf16");
    EXPECT_NE(fp32->image.pixels, bf16->image.pixels) << "bf16 must change the arithmetic";
    request.recipe.precision = "fp16";
    auto fp16 = engine->generate(request);
    ASSERT_FALSE(fp16.ok());
    EXPECT_EQ(fp16.error().code, ErrorCode::InvalidRequest);
    EXPECT_NE(fp16.error().message.find("fp32 or bf16"), std::string::npos);
}

TEST_F(Controls, EtaIsRecordedOnlyForTheSamplerThatReadsIt)
{
    auto engine = engineWith("text");
    GenerateRequest request;
    request.recipe.task = "txt2img";
    request.recipe.prompt = "a lake";
    request.recipe.steps = 2;
    request.recipe.seed = 3;
    request.recipe.width = 32;
    request.recipe.height = 32;
    request.recipe.eta = 0.5;
    for (const char* sampler : {"ddpm", "dpmpp2m", "euler_a"}) {
        request.recipe.sampler = sampler;
        auto result = engine->generate(request);
        ASSERT_TRUE(result.ok()) << sampler << ": " << result.error().message;
        EXPECT_EQ(result->recipe.eta, 0.0) << sampler;
        EXPECT_EQ(toA1111Parameters(result->recipe).find("Eta:"), std::string::npos) << sampler;
    }
    request.recipe.sampler = "ddim";
    auto ddim = engine->generate(request);
    ASSERT_TRUE(ddim.ok());
    EXPECT_EQ(ddim->recipe.eta, 0.5);
    EXPECT_NE(toA1111Parameters(ddim->recipe).find("Eta: 0.5"), std::string::npos);
    EXPECT_TRUE(samplerReadsEta("DDIM"));
    for (const std::string& id : knownSamplerIds())
        EXPECT_EQ(samplerReadsEta(id), id == "ddim") << id;
}

TEST(ControlDefaults, OneSourceOfSamplerDefaults)
{
    const SamplingDefaults generic = defaultSampling("txt2img");
    EXPECT_EQ(generic.sampler, "dpmpp2m");
    EXPECT_EQ(generic.steps, 25);
    EXPECT_EQ(generic.eta, 0.0);
    EXPECT_EQ(generic.guidanceScale, 5.0);
    const SamplingDefaults paint = defaultSampling("paint");
    EXPECT_EQ(paint.sampler, generic.sampler);
    EXPECT_EQ(paint.steps, generic.steps);
    const SamplingDefaults release{"ddim", 100, 1.0, 1.0};
    const SamplingDefaults released = defaultSampling("upscale", release);
    EXPECT_EQ(released.sampler, "ddim");
    EXPECT_EQ(released.steps, 100);
    EXPECT_EQ(released.eta, 1.0);
    const SamplingDefaults x4 = defaultSampling("upscale", {}, true);
    EXPECT_EQ(x4.sampler, "ddim");
    EXPECT_EQ(x4.steps, 75);
    EXPECT_EQ(x4.guidanceScale, 10.0);
    EXPECT_EQ(defaultSampling("upscale").guidanceScale, 1.0);
}

TEST(ControlRecipes, TileIsStoredInInputPixelsAndOldRecipesConvert)
{
    Recipe r;
    r.task = "upscale";
    r.tileSize = 48;
    const auto back = recipeFromJson(toJson(r));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->tileSize, 48);
    EXPECT_EQ(toJson(r).at("tile_input_px"), 48);
    // Written before: the output tile of a 4x upscaler.
    const auto old = recipeFromJsonText(R"({"task": "upscale", "tile_size": 256})");
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->tileSize, 64);
    const std::string text = toA1111Parameters(r);
    EXPECT_NE(text.find("Tile input px: 48"), std::string::npos) << text;
    const auto parsed = recipeFromA1111Parameters(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->tileSize, 48);
    const auto oldText = recipeFromA1111Parameters("x\nSteps: 5, Task: upscale, Tile size: 512");
    ASSERT_TRUE(oldText.ok());
    EXPECT_EQ(oldText->tileSize, 128);
}

TEST(ControlDevice, DeviceNameSaysWhatRuns)
{
    EngineOptions options;
    options.threads = 2;
    auto engine = Engine::create(options);
    ASSERT_TRUE(engine.ok());
    const std::string name = (*engine)->deviceName();
    if (torch::cuda::is_available())
        EXPECT_EQ(name.rfind("CUDA: ", 0), 0u) << name; // the driver's name for the card
    else
        EXPECT_EQ(name, "CPU (2 threads)");
}

} // namespace
} // namespace ldm
