// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111's recipe through the CLI as a person types it: `--sampler "Euler a"
// --schedule Karras --rng nv` on the tiny SD-1.x file gives the picture A1111 made (the a1111
// fixture's decoded image) and writes A1111's settings into the PNG; bad names are clear
// errors. Without ../shared the picture checks skip loudly; LDM_REQUIRE_FIXTURES=1 fails them.
#include "core/safetensors.h"
#include "io/image_files.h"
#include "support/cli_run.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace ldm {
namespace {

namespace fs = std::filesystem;

using CliRun = testing::CliOutput;

CliRun runCli(const std::vector<std::string>& args)
{
    return testing::runCliBinary(args);
}

fs::path fixtureRoot()
{
    const char* root = std::getenv("LDM_FIXTURES_DIR");
    return root && *root ? fs::path(root) : fs::path(LDM_FIXTURES_ROOT_DEFAULT);
}

class CliA1111Test : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() / ("ldm-cli-a1111-" + std::to_string(getpid()));
        fs::create_directories(m_dir);
        m_model = fixtureRoot() / "sd1" / "sd1_tiny.safetensors";
        if (!fs::exists(m_model)) {
            const char* required = std::getenv("LDM_REQUIRE_FIXTURES");
            if (required && std::string(required) == "1")
                FAIL() << "fixture missing: " << m_model;
            GTEST_SKIP() << "SHARED FIXTURES NOT FOUND (" << m_model << "): A1111 CLI checks skipped";
        }
    }
    void TearDown() override { fs::remove_all(m_dir); }

    /// The fixture's recipe, with `extra` options after it.
    CliRun txt2img(const fs::path& out, std::vector<std::string> extra) const
    {
        std::vector<std::string> args = {"txt2img", "--model", m_model.string(), "--prompt",
                                         "a photograph of an astronaut riding a horse", "--seed",
                                         "1234", "--steps", "6", "--scale", "7", "--width", "64",
                                         "--height", "64", "--quiet", "--out", out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return runCli(args);
    }

    fs::path m_dir;
    fs::path m_model;
};

/// Largest difference between the PNG's pixels and 255 × the fixture's image in [0, 1].
double pixelError(const fs::path& png, const fs::path& fixture)
{
    auto image = readImage(png.string());
    EXPECT_TRUE(image.ok());
    auto file = io::SafetensorsFile::open(fixture.string());
    EXPECT_TRUE(file.ok());
    if (!image.ok() || !file.ok())
        return INFINITY;
    const torch::Tensor ref = file->tensor("image_01").to(torch::kFloat32).contiguous();
    const int64_t h = ref.size(2), w = ref.size(3);
    EXPECT_EQ(image->width, w);
    EXPECT_EQ(image->height, h);
    double worst = 0;
    const float* values = ref.data_ptr<float>();
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                const double ours = image->pixels[size_t((y * w + x) * 3 + c)];
                worst = std::max(worst, std::abs(ours - 255.0 * values[(c * h + y) * w + x]));
            }
    return worst;
}

TEST_F(CliA1111Test, A1111RecipeGivesA1111sPicture)
{
    struct Case {
        std::vector<std::string> options;
        const char* fixture;
        std::vector<const char*> written;
    };
    const std::vector<Case> cases = {
        {{"--sampler", "Euler a", "--schedule", "Karras", "--rng", "nv"},
         "a1111_08_euler_ancestral_karras_nv.safetensors",
         {"Sampler: Euler a, Schedule type: Karras"}},
        {{"--sampler", "DPM++ 2M", "--rng", "cpu"}, // Automatic = Karras for DPM++ 2M
         "a1111_06_dpmpp_2m_karras_cpu.safetensors",
         {"Sampler: DPM++ 2M, Schedule type: Karras", "RNG: CPU"}},
        {{"--sampler", "k_dpm_2", "--schedule", "uniform", "--rng", "cpu"},
         "a1111_03_dpm_2_uniform_cpu.safetensors",
         {"Sampler: DPM2, Schedule type: Uniform", "RNG: CPU"}},
    };
    for (const Case& c : cases) {
        const fs::path out = m_dir / (std::string(c.fixture) + ".png");
        const CliRun run = txt2img(out, c.options);
        ASSERT_EQ(run.exitCode, 0) << run.output;
        // PNG pixels are the decoded image truncated to 8 bits: within one level.
        EXPECT_LE(pixelError(out, fixtureRoot() / "a1111" / c.fixture), 1.01) << c.fixture;
        auto text = readPngText(out.string());
        ASSERT_TRUE(text.ok());
        const std::string parameters = (*text)["parameters"];
        for (const char* expected : c.written)
            EXPECT_NE(parameters.find(expected), std::string::npos) << parameters;
        EXPECT_EQ(parameters.find("Eta:"), std::string::npos) << parameters;
    }
}

TEST_F(CliA1111Test, BadNamesAndUnsupportedUsesAreClearErrors)
{
    const fs::path out = m_dir / "never.png";
    CliRun run = txt2img(out, {"--rng", "mersenne"});
    EXPECT_EQ(run.exitCode, 2) << run.output;
    EXPECT_NE(run.output.find("ours, cpu or nv"), std::string::npos) << run.output;
    run = txt2img(out, {"--sampler", "Euler", "--schedule", "cosine"});
    EXPECT_EQ(run.exitCode, 2) << run.output;
    EXPECT_NE(run.output.find("cosine"), std::string::npos) << run.output;
    run = txt2img(out, {"--sampler", "UniPC"});
    EXPECT_NE(run.exitCode, 0);
    EXPECT_NE(run.output.find("Euler a"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(out));
}

} // namespace
} // namespace ldm
