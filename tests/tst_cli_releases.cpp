// SPDX-License-Identifier: GPL-3.0-or-later
// The CompVis release folders as a user owns them (model.ckpt + config.yaml, from the shared
// paper fixtures): paint with the semantic-synthesis model from a grayscale PNG of COCO-Stuff
// ids, from maps painted in the palette's colours (RGB and indexed: the same pixels), refuse a
// map with ids the model lacks, and upscale with the bsr_sr folder, also in AUTOMATIC1111's
// LDSR layout (model.ckpt or model.safetensors beside project.yaml). Without ../shared these
// skip loudly; under LDM_REQUIRE_FIXTURES=1 they fail.
#include "checkpoint/class_palettes.h"
#include "io/image_files.h"
#include "support/cli_run.h"
#include "support/test_paths.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

namespace ldm {
namespace {

namespace fs = std::filesystem;
using testing::runCliBinary;

constexpr int MapWidth = 96;
constexpr int MapHeight = 64;

/// Sky above mountains above a lake, in COCO-Stuff ids (0-based, as the release reads them).
std::vector<uint8_t> lakeIds()
{
    std::vector<uint8_t> ids(size_t(MapWidth) * MapHeight);
    for (int y = 0; y < MapHeight; ++y)
        for (int x = 0; x < MapWidth; ++x)
            ids[size_t(y) * MapWidth + x] = y < 24                  ? 156 /* sky-other */
                                            : y < 40 + (x % 16) / 4 ? 134 /* mountain */
                                                                    : 177 /* water-other */;
    return ids;
}

void writeGrayIds(const std::string& path, std::vector<uint8_t> ids)
{
    ASSERT_TRUE(cv::imwrite(path, cv::Mat(MapHeight, MapWidth, CV_8UC1, ids.data())));
}

std::string colorOf(int id)
{
    for (const auto& c : cocoStuffClasses())
        if (c.id == id)
            return c.color;
    return {};
}

class CliReleases : public ::testing::Test
{
protected:
    void SetUp() override
    {
        m_paper = testing::fixtureFolder("paper");
        std::error_code ec;
        if (m_paper.empty() ||
            !fs::is_regular_file(m_paper / "semantic_synthesis" / "model.ckpt", ec)) {
            const std::string message = "PAPER FIXTURES NOT FOUND at '" + m_paper.string() +
                                        "': the release-folder CLI tests did not run";
            std::fprintf(stderr, "\n*** %s ***\n\n", message.c_str());
            if (testing::fixturesRequired())
                FAIL() << message;
            GTEST_SKIP() << message;
        }
        m_dir = testing::makeTempDir("cli-releases");
    }
    void TearDown() override
    {
        if (!m_dir.empty())
            fs::remove_all(m_dir);
    }

    std::string path(const std::string& name) const { return m_dir + "/" + name; }
    std::string semantic() const
    {
        return (m_paper / "semantic_synthesis" / "model.ckpt").string();
    }
    std::string superres() const { return (m_paper / "bsr_sr" / "model.ckpt").string(); }

    testing::CliOutput paint(const std::string& map, const std::string& out) const
    {
        return runCliBinary({"paint", "--model", semantic(), "--map", map, "--steps", "3",
                             "--sampler", "ddim", "--eta", "1", "--scale", "1", "--seed", "11",
                             "--quiet", "--out", out});
    }

    fs::path m_paper;
    std::string m_dir;
};

TEST_F(CliReleases, InspectReadsTheConfigBesideTheCheckpointAndSaysWhichWeightsSample)
{
    const auto run = runCliBinary({"inspect", semantic()});
    ASSERT_EQ(run.exitCode, 0) << run.output;
    EXPECT_NE(run.output.find("config.yaml beside the checkpoint"), std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find("sampling with: EMA"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("classes:       182"), std::string::npos) << run.output;
    // n_stages 2 comes from the config, not the one-stage guess made from the weights.
    EXPECT_EQ(run.output.find("SpatialRescaler: 1 stage"), std::string::npos) << run.output;

    const auto raw = runCliBinary({"inspect", "--weights", "raw", semantic()});
    ASSERT_EQ(raw.exitCode, 0) << raw.output;
    EXPECT_NE(raw.output.find("sampling with: raw"), std::string::npos) << raw.output;
}

TEST_F(CliReleases, PaintsFromGrayscaleIdsAndFromPaletteColoursAlike)
{
    const std::vector<uint8_t> ids = lakeIds();
    writeGrayIds(path("ids.png"), ids);
    const auto gray = paint(path("ids.png"), path("from_ids.png"));
    ASSERT_EQ(gray.exitCode, 0) << gray.output;
    auto fromIds = readImage(path("from_ids.png"));
    ASSERT_TRUE(fromIds.ok()) << fromIds.error().message;
    EXPECT_EQ(fromIds->width, MapWidth);
    EXPECT_EQ(fromIds->height, MapHeight);
    auto text = readPngText(path("from_ids.png"));
    ASSERT_TRUE(text.ok());
    EXPECT_NE(text->at("parameters").find("Weights: ema"), std::string::npos)
        << text->at("parameters");

    // The same map painted in the COCO-Stuff palette's colours, as RGB and as indexed PNG.
    RgbImage colours;
    colours.width = MapWidth;
    colours.height = MapHeight;
    for (uint8_t id : ids) {
        const std::string hex = colorOf(id);
        ASSERT_EQ(hex.size(), 7u) << "no palette colour for class " << int(id);
        for (int channel = 0; channel < 3; ++channel)
            colours.pixels.push_back(
                uint8_t(std::stoi(hex.substr(1 + 2 * channel, 2), nullptr, 16)));
    }
    ASSERT_TRUE(writePng(path("colours.png"), colours).ok());
    LabelMap map{MapWidth, MapHeight, ids};
    std::vector<ClassInfo> classes;
    for (const auto& c : cocoStuffClasses())
        classes.push_back({c.id, c.name, c.color});
    ASSERT_TRUE(writeLabelMap(path("indexed.png"), map, classes).ok());
    for (const char* name : {"colours.png", "indexed.png"}) {
        const auto run = paint(path(name), path(std::string("from_") + name));
        ASSERT_EQ(run.exitCode, 0) << name << ": " << run.output;
        auto image = readImage(path(std::string("from_") + name));
        ASSERT_TRUE(image.ok());
        EXPECT_EQ(image->pixels, fromIds->pixels) << name << " painted other classes than the ids";
    }
}

TEST_F(CliReleases, AMapWithIdsTheModelLacksIsRefusedNamingThem)
{
    std::vector<uint8_t> ids = lakeIds();
    ids[5] = 200;
    ids[7] = 190;
    writeGrayIds(path("bad.png"), ids);
    const auto run = paint(path("bad.png"), path("bad_out.png"));
    EXPECT_EQ(run.exitCode, 1) << run.output;
    EXPECT_NE(run.output.find("class id(s) 190, 200"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("182 classes"), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(path("bad_out.png")));
}

TEST_F(CliReleases, UpscalesWithTheReleaseDefaultsAndInA1111sLdsrLayout)
{
    RgbImage small;
    small.width = 24;
    small.height = 16;
    for (int i = 0; i < small.width * small.height; ++i)
        for (int channel = 0; channel < 3; ++channel)
            small.pixels.push_back(uint8_t((i * 7 + channel * 60) % 256));
    ASSERT_TRUE(writePng(path("small.png"), small).ok());

    // The release's own settings (DDIM, 100 steps, eta 1) when the user gives none.
    const auto defaults = runCliBinary({"upscale", "--model", superres(), "--in", path("small.png"),
                                        "--seed", "3", "--quiet", "--out", path("up.png")});
    ASSERT_EQ(defaults.exitCode, 0) << defaults.output;
    auto up = readImage(path("up.png"));
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(up->width, 96);
    EXPECT_EQ(up->height, 64);
    auto text = readPngText(path("up.png"));
    ASSERT_TRUE(text.ok());
    const std::string parameters = text->at("parameters");
    for (const char* expected : {"Steps: 100", "Sampler: DDIM", "Eta: 1", "Weights: ema"})
        EXPECT_NE(parameters.find(expected), std::string::npos) << expected << " in " << parameters;

    // Tiled beyond one tile: 16 px input tiles (the smallest) over the 24 x 16 input.
    const auto tiled =
        runCliBinary({"upscale", "--model", superres(), "--in", path("small.png"), "--steps", "4",
                      "--tile", "16", "--quiet", "--out", path("tiled.png")});
    ASSERT_EQ(tiled.exitCode, 0) << tiled.output;

    // A1111's LDSR folder: model.ckpt beside project.yaml, and the same as model.safetensors,
    // sample exactly as the release folder does.
    const std::vector<std::string> fewSteps = {"--in", path("small.png"), "--steps", "4", "--seed",
                                               "3",    "--quiet",         "--out"};
    const auto upscaleWith = [&](const std::string& model, const std::string& out) {
        std::vector<std::string> args = {"upscale", "--model", model};
        args.insert(args.end(), fewSteps.begin(), fewSteps.end());
        args.push_back(path(out));
        const auto run = runCliBinary(args);
        EXPECT_EQ(run.exitCode, 0) << model << ": " << run.output;
        auto image = readImage(path(out));
        return image.ok() ? image->pixels : std::vector<uint8_t>{};
    };
    const std::vector<uint8_t> release = upscaleWith(superres(), "release.png");
    ASSERT_FALSE(release.empty());
    const std::string ldsr = path("LDSR");
    fs::create_directories(ldsr);
    fs::copy_file(superres(), ldsr + "/model.ckpt");
    fs::copy_file(m_paper / "bsr_sr" / "config.yaml", ldsr + "/project.yaml");
    EXPECT_EQ(upscaleWith(ldsr + "/model.ckpt", "ldsr.png"), release)
        << "the project.yaml layout sampled differently";

    const auto convert =
        runCliBinary({"convert", ldsr + "/model.ckpt", ldsr + "/model.safetensors"});
    ASSERT_EQ(convert.exitCode, 0) << convert.output;
    fs::remove(ldsr + "/model.ckpt");
    EXPECT_EQ(upscaleWith(ldsr + "/model.safetensors", "ldsr_st.png"), release)
        << "model.safetensors beside project.yaml sampled differently";
}

} // namespace
} // namespace ldm
