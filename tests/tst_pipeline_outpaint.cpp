// SPDX-License-Identifier: GPL-3.0-or-later
// Outpainting and Stable Diffusion inpainting files end to end on tiny random-weight models:
// the grown canvas keeps every input pixel exactly and extends the edges into the new area,
// growth is rounded to the latent factor and checked against the size limits, and an SD file
// with a 9-channel-style UNet (here 2 x 3 + 1) is recognised without a config and inpaints
// through its own concat input with guidance.
#include "ldm/engine.h"
#include "ldm/recipe.h"
#include "pipeline/outpaint_canvas.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <random>

namespace ldm {
namespace {

class OutpaintTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("outpaint");
        s_text = testing::writeTinyModel(s_dir, "text");
        s_sdInpaint = testing::writeTinyModel(s_dir, "sd1_inpaint");
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    static std::unique_ptr<Engine> engineWith(const std::string& path, ModelInfo* info = nullptr)
    {
        EngineOptions options;
        options.threads = 2;
        options.device = "cpu";
        auto engine = Engine::create(options);
        EXPECT_TRUE(engine.ok());
        auto loaded = (*engine)->loadModel(path);
        EXPECT_TRUE(loaded.ok()) << loaded.error().message;
        if (info && loaded.ok())
            *info = loaded.value();
        return std::move(engine.value());
    }

    static RgbImage inputImage(int width, int height)
    {
        RgbImage image{width, height, std::vector<uint8_t>(size_t(width) * size_t(height) * 3)};
        std::mt19937 random(11);
        for (auto& byte : image.pixels)
            byte = uint8_t(random() % 256);
        return image;
    }

    static GenerateRequest outpaintRequest(const RgbImage& input, CanvasGrowth growth)
    {
        GenerateRequest request;
        request.recipe.task = "outpaint";
        request.recipe.prompt = "a lake at dawn";
        request.recipe.sampler = "ddim";
        request.recipe.steps = 4;
        request.recipe.guidanceScale = 3.0;
        request.recipe.seed = 5;
        request.recipe.strength = 1.0;
        request.recipe.growth = growth;
        request.input = input;
        return request;
    }

    /// Every pixel of `input` placed at (left, top) of `result` is unchanged, byte for byte.
    static void expectInputKept(const RgbImage& input, const RgbImage& result, int left, int top)
    {
        for (int y = 0; y < input.height; ++y)
            for (int x = 0; x < input.width; ++x)
                for (int c = 0; c < 3; ++c) {
                    const size_t from = (size_t(y) * size_t(input.width) + size_t(x)) * 3 + c;
                    const size_t to =
                        (size_t(y + top) * size_t(result.width) + size_t(x + left)) * 3 + c;
                    ASSERT_EQ(result.pixels[to], input.pixels[from])
                        << "input pixel (" << x << ", " << y << ") channel " << c;
                }
    }

    static inline std::string s_dir;
    static inline std::string s_text;
    static inline std::string s_sdInpaint;
};

TEST_F(OutpaintTest, CanvasExtendsEdgesAndMasksOnlyTheNewArea)
{
    const RgbImage input = inputImage(6, 4);
    auto canvas = makeOutpaintCanvas(input, {3, 0, 0, 2}, 1, 4096);
    ASSERT_TRUE(canvas.ok()) << canvas.error().message;
    ASSERT_EQ(canvas->image.width, 9);
    ASSERT_EQ(canvas->image.height, 6);
    for (int y = 0; y < 6; ++y)
        for (int x = 0; x < 9; ++x) {
            const int sx = std::clamp(x - 3, 0, 5);
            const int sy = std::min(y, 3);
            const size_t to = (size_t(y) * 9 + size_t(x)) * 3;
            const size_t from = (size_t(sy) * 6 + size_t(sx)) * 3;
            for (int c = 0; c < 3; ++c)
                EXPECT_EQ(canvas->image.pixels[to + c], input.pixels[from + c]) << x << "," << y;
            const bool added = x < 3 || y >= 4;
            EXPECT_EQ(canvas->mask.pixels[to], added ? 255 : 0) << x << "," << y;
        }
}

TEST_F(OutpaintTest, GrowthIsRoundedToTheLatentFactor)
{
    const RgbImage input = inputImage(32, 30);
    // Width: 32 + 5 → 40 (the extra 3 go right); height: 30 + 1 + 1 → 32 (the extra to the
    // bottom side that grows).
    auto canvas = makeOutpaintCanvas(input, {0, 5, 1, 1}, 8, 4096);
    ASSERT_TRUE(canvas.ok()) << canvas.error().message;
    EXPECT_EQ(canvas->growth, (CanvasGrowth{0, 8, 1, 1}));
    EXPECT_EQ(canvas->image.width, 40);
    EXPECT_EQ(canvas->image.height, 32);
    auto leftOnly = makeOutpaintCanvas(input, {3, 0, 2, 0}, 8, 4096);
    ASSERT_TRUE(leftOnly.ok()) << leftOnly.error().message;
    EXPECT_EQ(leftOnly->growth, (CanvasGrowth{8, 0, 2, 0}));
}

TEST_F(OutpaintTest, BadGrowthGetsAClearError)
{
    const RgbImage input = inputImage(32, 30);
    auto expectError = [&](CanvasGrowth growth, const std::string& words) {
        auto canvas = makeOutpaintCanvas(input, growth, 8, 4096);
        ASSERT_FALSE(canvas.ok()) << "expected an error about " << words;
        EXPECT_EQ(canvas.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(canvas.error().message.find(words), std::string::npos) << canvas.error().message;
    };
    expectError({0, 0, 0, 0}, "nothing to grow");
    expectError({-8, 0, 2, 0}, "cannot be negative");
    expectError({0, 8, 0, 0}, "height does not grow"); // 30 is no multiple of 8
    expectError({0, 4096, 2, 0}, "largest accepted side is 4096");
    expectError({0, 0, 2, 100000}, "beyond the largest side");
}

TEST_F(OutpaintTest, EveryInputPixelIsKeptAndTheRecipeRecordsTheGrowth)
{
    auto engine = engineWith(s_text);
    const RgbImage input = inputImage(32, 32);
    // Latent factor 4 and a two-level UNet: sides are multiples of 8, so 5 → 8 and 4 → 8.
    const GenerateRequest request = outpaintRequest(input, {8, 5, 0, 4});
    auto result = engine->generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->image.width, 32 + 8 + 8);
    ASSERT_EQ(result->image.height, 32 + 8);
    expectInputKept(input, result->image, 8, 0);
    EXPECT_EQ(result->recipe.task, "outpaint");
    EXPECT_EQ(result->recipe.growth, (CanvasGrowth{8, 8, 0, 8}));
    EXPECT_EQ(result->recipe.width, 48);
    EXPECT_FALSE(result->recipe.inputImageHash.empty());
    // The new area is generated, not left as the edge extension.
    auto canvas = makeOutpaintCanvas(input, result->recipe.growth, 1, 4096);
    ASSERT_TRUE(canvas.ok());
    size_t changed = 0;
    for (size_t i = 0; i < canvas->image.pixels.size(); ++i)
        changed +=
            canvas->mask.pixels[i] == 255 && canvas->image.pixels[i] != result->image.pixels[i];
    EXPECT_GT(changed, size_t(48 * 40 - 32 * 32) * 3 / 2);
    // The recipe replays: same request, same pixels; the PNG text carries the growth.
    auto again = engine->generate(request);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->image.pixels, result->image.pixels);
    const std::string text = toA1111Parameters(result->recipe);
    EXPECT_NE(text.find("Outpaint: left 8 right 8 top 0 bottom 8"), std::string::npos) << text;
    auto parsed = recipeFromA1111Parameters(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->growth, result->recipe.growth);
    auto fromJson = recipeFromJson(toJson(result->recipe));
    ASSERT_TRUE(fromJson.ok()) << fromJson.error().message;
    EXPECT_EQ(*fromJson, result->recipe);
}

TEST_F(OutpaintTest, EngineRefusesZeroAndOversizedGrowth)
{
    auto engine = engineWith(s_text);
    for (auto [growth, words] : {std::pair{CanvasGrowth{}, "nothing to grow"},
                                 std::pair{CanvasGrowth{0, 4080, 0, 0}, "largest accepted side"}}) {
        auto result = engine->generate(outpaintRequest(inputImage(32, 32), growth));
        ASSERT_FALSE(result.ok()) << words;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
    }
}

TEST_F(OutpaintTest, SdInpaintingFileIsRecognisedWithoutAConfig)
{
    ModelInfo info;
    engineWith(s_sdInpaint, &info);
    EXPECT_EQ(info.family, "Stable Diffusion 1.x inpainting");
    EXPECT_NE(info.description.find("inpainting model (mask + masked-image latent"),
              std::string::npos)
        << info.description;
    EXPECT_EQ(info.description.find("super-resolution"), std::string::npos) << info.description;
    EXPECT_EQ(info.tasks, (std::vector<std::string>{"inpaint", "outpaint"}));
    EXPECT_EQ(info.prediction, "eps");
}

TEST_F(OutpaintTest, Sd2InpaintingFilePredictsEpsWithoutAConfig)
{
    // SD-2.x files without a config are taken as the 768-v model; the only SD-2.x inpainting
    // release (512-inpainting-ema) predicts the noise.
    ModelInfo info;
    auto engine = engineWith(testing::writeTinyModel(s_dir, "sd2_inpaint"), &info);
    EXPECT_EQ(info.family, "Stable Diffusion 2.x inpainting");
    EXPECT_EQ(info.prediction, "eps");
    EXPECT_EQ(info.tasks, (std::vector<std::string>{"inpaint", "outpaint"}));
    const RgbImage input = inputImage(32, 32);
    auto result = engine->generate(outpaintRequest(input, {8, 0, 0, 0}));
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->recipe.prediction, "eps");
    expectInputKept(input, result->image, 8, 0);
}

TEST_F(OutpaintTest, SdInpaintingFileInpaintsWithGuidanceAndKeepsUnmaskedPixels)
{
    auto engine = engineWith(s_sdInpaint);
    GenerateRequest request = outpaintRequest(inputImage(32, 32), {});
    request.recipe.task = "inpaint";
    request.mask = RgbImage{32, 32, std::vector<uint8_t>(32 * 32 * 3, 0)};
    for (int y = 8; y < 24; ++y)
        std::fill_n(request.mask.pixels.begin() + (y * 32 + 4) * 3, 20 * 3, uint8_t(255));
    auto result = engine->generate(request);
    ASSERT_TRUE(result.ok()) << result.error().message;
    for (size_t i = 0; i < result->image.pixels.size(); ++i) {
        if (request.mask.pixels[i] == 0) {
            ASSERT_EQ(result->image.pixels[i], request.input.pixels[i]) << "byte " << i;
        }
    }
    EXPECT_DOUBLE_EQ(result->recipe.guidanceScale, 3.0) << "a text model runs guided";
    // The prompt reaches the model: another prompt gives other pixels in the filled area.
    GenerateRequest other = request;
    other.recipe.prompt = "a red barn";
    auto second = engine->generate(other);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NE(second->image.pixels, result->image.pixels);
    // The masked image reaches the model: changing a kept pixel changes the filled area.
    GenerateRequest moved = request;
    for (int x = 0; x < 32; ++x)
        moved.input.pixels[size_t(x) * 3] = uint8_t(moved.input.pixels[size_t(x) * 3] ^ 0x80);
    auto third = engine->generate(moved);
    ASSERT_TRUE(third.ok()) << third.error().message;
    bool filledChanged = false;
    for (size_t i = 0; i < request.mask.pixels.size(); ++i)
        filledChanged |=
            request.mask.pixels[i] == 255 && third->image.pixels[i] != result->image.pixels[i];
    EXPECT_TRUE(filledChanged);

    GenerateRequest img2img = request;
    img2img.recipe.task = "img2img";
    auto refused = engine->generate(img2img);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("cannot do task 'img2img'"), std::string::npos)
        << refused.error().message;
}

TEST_F(OutpaintTest, SdInpaintingFileOutpaintsKeepingTheInput)
{
    auto engine = engineWith(s_sdInpaint);
    const RgbImage input = inputImage(32, 32);
    auto result = engine->generate(outpaintRequest(input, {0, 0, 12, 4}));
    ASSERT_TRUE(result.ok()) << result.error().message;
    ASSERT_EQ(result->image.height, 48);
    expectInputKept(input, result->image, 0, 12);
}

} // namespace
} // namespace ldm
