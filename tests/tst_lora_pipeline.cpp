// SPDX-License-Identifier: GPL-3.0-or-later
// LoRA through the engine and the CLI on the tiny SD-1.x fixture: A1111's txt2img recipe of the
// a1111 fixture (Euler, uniform sigmas, CPU noise) with `<lora:tiny_lora:0.8>` and
// `<lora:tiny_lora_ldm:0.5>` in the prompt gives the reference merge's picture
// (tests/data/lora/lora_reference.safetensors), the recipe lists the LoRAs' hashes as A1111
// writes them and keeps the tags in the prompt, the next request without tags gives the plain
// model's picture again, and the PNG's parameters read back with the tags and hashes.
#include "support/cli_run.h"
#include "support/lora_test_data.h"

#include "core/safetensors.h"
#include "ldm/engine.h"
#include "io/image_files.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

namespace ldm {
namespace {

namespace fs = std::filesystem;

const char* const Prompt = "a photograph of an astronaut riding a horse";
const char* const Tags = " <lora:tiny_lora:0.8><lora:tiny_lora_ldm:0.5>";

/// Largest difference between 8-bit pixels and 255 × a reference image in [0, 1].
double pixelError(const RgbImage& image, const torch::Tensor& reference)
{
    const torch::Tensor ref = reference.to(torch::kFloat32).contiguous();
    const int64_t h = ref.size(2), w = ref.size(3);
    EXPECT_EQ(image.width, w);
    EXPECT_EQ(image.height, h);
    if (image.width != w || image.height != h)
        return INFINITY;
    double worst = 0;
    const float* values = ref.data_ptr<float>();
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                const double ours = image.pixels[size_t((y * w + x) * 3 + c)];
                worst = std::max(worst, std::abs(ours - 255.0 * values[(c * h + y) * w + x]));
            }
    return worst;
}

class LoraPipelineTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_model = testing::loraFixtureModel();
        if (!fs::exists(m_model)) {
            if (testing::fixturesRequired())
                FAIL() << "fixture missing: " << m_model;
            GTEST_SKIP() << "SHARED FIXTURES NOT FOUND (" << m_model
                         << "): LoRA pipeline checks skipped";
        }
        auto reference =
            io::SafetensorsFile::open(testing::loraDataDir() + "/lora_reference.safetensors");
        ASSERT_TRUE(reference.ok()) << reference.error().message;
        m_reference.emplace(std::move(reference.value()));
        m_dir = fs::temp_directory_path() / ("ldm-lora-pipeline-" + std::to_string(getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override
    {
        if (!m_dir.empty())
            fs::remove_all(m_dir);
    }

    /// The a1111 fixture's recipe (a1111_00_euler_uniform_cpu).
    GenerateRequest request(const std::string& prompt) const
    {
        GenerateRequest r;
        r.recipe.task = "txt2img";
        r.recipe.prompt = prompt;
        r.recipe.sampler = "euler";
        r.recipe.schedule = "uniform";
        r.recipe.rng = "cpu";
        r.recipe.seed = 1234;
        r.recipe.steps = 6;
        r.recipe.guidanceScale = 7.0;
        r.recipe.width = 64;
        r.recipe.height = 64;
        r.previewMode = PreviewMode::None;
        r.loraDir = testing::loraDataDir();
        return r;
    }

    std::string expectedHashes() const
    {
        return "tiny_lora: " + m_reference->metadata().at("hash_tiny_lora") +
               ", tiny_lora_ldm: " + m_reference->metadata().at("hash_tiny_lora_ldm");
    }

    fs::path m_model;
    fs::path m_dir;
    std::optional<io::SafetensorsFile> m_reference;
};

TEST_F(LoraPipelineTest, EngineGivesTheReferenceMergesPictureAndTakesTheLoraOutAgain)
{
    EngineOptions options;
    options.threads = 2;
    options.device = "cpu";
    auto engine = Engine::create(options);
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->loadModel(m_model.string()).ok());

    auto withLora = (*engine)->generate(request(std::string(Prompt) + Tags));
    ASSERT_TRUE(withLora.ok()) << withLora.error().message;
    // PNG-like pixels are the decoded image truncated to 8 bits: within one level.
    const double loraError = pixelError(withLora->image, m_reference->tensor("image_01"));
    EXPECT_LE(loraError, 1.01);
    std::printf("engine with LoRA vs reference merge's image: %.3g levels\n", loraError);
    EXPECT_EQ(withLora->recipe.prompt, std::string(Prompt) + Tags);
    EXPECT_EQ(withLora->recipe.loraHashes, expectedHashes());
    bool unmatchedWarned = false;
    for (const std::string& warning : withLora->warnings)
        unmatchedWarned = unmatchedWarned || warning.find("1 of 6 modules") != std::string::npos;
    EXPECT_TRUE(unmatchedWarned);

    // The next request without tags runs the plain model: A1111's own picture of the recipe.
    const fs::path plainFixture =
        testing::fixturesRoot() / "a1111" / "a1111_00_euler_uniform_cpu.safetensors";
    auto plain = (*engine)->generate(request(Prompt));
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_TRUE(plain->recipe.loraHashes.empty());
    if (auto fixture = io::SafetensorsFile::open(plainFixture.string()); fixture.ok()) {
        EXPECT_LE(pixelError(plain->image, fixture->tensor("image_01")), 1.01);
    }
    EXPECT_GT(pixelError(plain->image, m_reference->tensor("image_01")), 8.0);

    auto missing = (*engine)->generate(request(std::string(Prompt) + " <lora:no_such_lora>"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no_such_lora.safetensors"), std::string::npos)
        << missing.error().message;
}

TEST_F(LoraPipelineTest, CliAppliesLorasFromItsFolderAndThePngKeepsThem)
{
    const auto txt2img = [&](const std::string& prompt, const fs::path& out,
                             std::vector<std::string> extra) {
        std::vector<std::string> args = {"txt2img",   "--model",    m_model.string(),
                                         "--prompt",  prompt,       "--sampler",
                                         "Euler",     "--schedule", "Uniform",
                                         "--rng",     "cpu",        "--seed",
                                         "1234",      "--steps",    "6",
                                         "--scale",   "7",          "--width",
                                         "64",        "--height",   "64",
                                         "--threads", "2",          "--quiet",
                                         "--out",     out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return testing::runCliBinary(args);
    };
    const fs::path withLora = m_dir / "lora.png";
    const auto run =
        txt2img(std::string(Prompt) + Tags, withLora, {"--lora-dir", testing::loraDataDir()});
    ASSERT_EQ(run.exitCode, 0) << run.output;
    EXPECT_NE(run.output.find("warning"), std::string::npos) << run.output; // the unmatched module
    auto image = readImage(withLora.string());
    ASSERT_TRUE(image.ok());
    EXPECT_LE(pixelError(*image, m_reference->tensor("image_01")), 1.01);

    auto text = readPngText(withLora.string());
    ASSERT_TRUE(text.ok());
    const std::string parameters = (*text)["parameters"];
    EXPECT_NE(parameters.find("Lora hashes: \"" + expectedHashes() + "\""), std::string::npos)
        << parameters;
    auto restored = recipeFromA1111Parameters(parameters);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(restored->prompt, std::string(Prompt) + Tags);
    EXPECT_EQ(restored->loraHashes, expectedHashes());
    auto json = recipeFromJsonText((*text)["latent-canvas"]);
    ASSERT_TRUE(json.ok());
    EXPECT_EQ(json->loraHashes, expectedHashes());

    const fs::path plain = m_dir / "plain.png";
    ASSERT_EQ(txt2img(Prompt, plain, {}).exitCode, 0);
    auto plainImage = readImage(plain.string());
    ASSERT_TRUE(plainImage.ok());
    EXPECT_NE(plainImage->pixels, image->pixels);
    auto plainText = readPngText(plain.string());
    ASSERT_TRUE(plainText.ok());
    EXPECT_EQ((*plainText)["parameters"].find("Lora hashes"), std::string::npos);

    const auto unknown = txt2img(std::string(Prompt) + " <lora:no_such_lora:1>", m_dir / "x.png",
                                 {"--lora-dir", testing::loraDataDir()});
    EXPECT_NE(unknown.exitCode, 0);
    EXPECT_NE(unknown.output.find("no_such_lora.safetensors"), std::string::npos) << unknown.output;
    // A missing folder and bad weights are checked in-process (tst_lora.cpp): each CLI run
    // loads the model, so only the error a person meets first runs here.
}

} // namespace
} // namespace ldm
