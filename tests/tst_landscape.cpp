// SPDX-License-Identifier: GPL-3.0-or-later
// Procedural landscape world: determinism, exact labels, variety, captions, sizes, palette.
#include "data/landscape_caption.h"
#include "data/landscape_generator.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <vector>

using namespace ldm::data;

namespace {

bool sameMat(const cv::Mat& a, const cv::Mat& b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    return cv::countNonZero(diff.reshape(1)) == 0;
}

// Words that count as naming each class in a caption.
const std::map<int, std::vector<std::string>> ClassWords = {
    {0, {"sky"}},
    {1, {"cloud"}},
    {2, {"mountain", "peak"}},
    {3, {"snow"}},
    {4, {"rock", "cliff", "boulder", "crag"}},
    {5, {"lake", "sea", "ocean", "water"}},
    {6, {"sand", "beach", "dune"}},
    {7, {"grass", "meadow", "pasture", "field"}},
    {8, {"forest", "trees", "woods"}},
    {9, {"dirt", "earth", "soil", "path", "track", "road"}},
};

bool mentions(const std::string& caption, int cls)
{
    for (const std::string& w : ClassWords.at(cls))
        if (caption.find(w) != std::string::npos)
            return true;
    return false;
}

} // namespace

TEST(Landscape, SameSeedSameSample)
{
    const LandscapeGenerator gen;
    const LandscapeSample a = gen.generate(1234, 256, 192);
    const LandscapeSample b = gen.generate(1234, 256, 192);
    ASSERT_FALSE(a.labels.empty());
    EXPECT_TRUE(sameMat(a.labels, b.labels));
    EXPECT_TRUE(sameMat(a.image, b.image));
    EXPECT_EQ(a.caption, b.caption);
    EXPECT_FALSE(a.caption.empty());

    const LandscapeSample c = gen.generate(1235, 256, 192);
    EXPECT_FALSE(sameMat(a.image, c.image));
    EXPECT_FALSE(sameMat(a.labels, c.labels));
}

TEST(Landscape, LabelsInRangeAndTypes)
{
    const LandscapeGenerator gen;
    for (uint64_t seed = 0; seed < 20; ++seed) {
        const LandscapeSample s = gen.generate(seed, 160, 128);
        ASSERT_EQ(s.labels.type(), CV_8U);
        ASSERT_EQ(s.image.type(), CV_8UC3);
        ASSERT_EQ(s.labels.size(), cv::Size(160, 128));
        ASSERT_EQ(s.image.size(), cv::Size(160, 128));
        double lo = 0;
        double hi = 0;
        cv::minMaxLoc(s.labels, &lo, &hi);
        EXPECT_LT(hi, LandscapeClassCount) << "seed " << seed;
        float sum = 0.0f;
        for (float v : s.classShare)
            sum += v;
        EXPECT_NEAR(sum, 1.0f, 1e-4f);
        // Shares are what the label map says.
        for (int c = 0; c < LandscapeClassCount; ++c) {
            const double share = cv::countNonZero(s.labels == c) / double(s.labels.total());
            EXPECT_NEAR(share, s.classShare[static_cast<size_t>(c)], 1e-6);
        }
    }
}

TEST(Landscape, VarietyAndCaptions)
{
    const LandscapeGenerator gen;
    std::array<int, LandscapeClassCount> scenesWith{};
    std::map<int, int> times;
    std::map<int, int> seasons;
    int misses = 0;
    for (uint64_t seed = 0; seed < 200; ++seed) {
        const LandscapeSample s = gen.generate(seed * 7919u + 3u, 128, 128);
        for (int c = 0; c < LandscapeClassCount; ++c) {
            const float share = s.classShare[static_cast<size_t>(c)];
            if (share > 0.0f)
                ++scenesWith[static_cast<size_t>(c)];
            // A class covering a tenth of the frame must be named.
            if (share >= 0.10f && !mentions(s.caption, c)) {
                ++misses;
                ADD_FAILURE() << "seed " << seed << ": class " << c << " covers " << share
                              << " but the caption is \"" << s.caption << "\"";
            }
        }
        ++times[static_cast<int>(s.timeOfDay)];
        ++seasons[static_cast<int>(s.season)];
    }
    for (int c = 0; c < LandscapeClassCount; ++c)
        EXPECT_GE(scenesWith[static_cast<size_t>(c)], 5)
            << landscapeClassName(static_cast<LandscapeClass>(c)) << " too rare";
    EXPECT_EQ(times.size(), 4u);
    EXPECT_EQ(seasons.size(), 3u);
    EXPECT_EQ(misses, 0);
}

TEST(Landscape, CaptionsVary)
{
    const LandscapeGenerator gen;
    std::map<std::string, int> seen;
    for (uint64_t seed = 0; seed < 40; ++seed)
        ++seen[gen.generate(seed, 64, 64).caption];
    EXPECT_GE(seen.size(), 35u);
}

TEST(Landscape, SizesAndAspect)
{
    const LandscapeGenerator gen;
    for (const cv::Size size :
         {cv::Size(512, 256), cv::Size(1024, 512), cv::Size(192, 320), cv::Size(16, 16)}) {
        const LandscapeSample s = gen.generate(99, size.width, size.height);
        ASSERT_EQ(s.labels.size(), size);
        ASSERT_EQ(s.image.size(), size);
        double hi = 0;
        cv::minMaxLoc(s.labels, nullptr, &hi);
        EXPECT_LT(hi, LandscapeClassCount);
    }
    EXPECT_TRUE(gen.generate(1, 8, 256).labels.empty());
    EXPECT_TRUE(gen.generate(1, 256, 0).image.empty());
    EXPECT_TRUE(gen.generate(1, 100000, 256).image.empty());
}

TEST(Landscape, LayoutIndependentOfResolution)
{
    // The same seed describes the same world at any size, so multi-scale training stays coherent.
    const LandscapeGenerator gen;
    const LandscapeSample small = gen.generate(42, 128, 128);
    const LandscapeSample big = gen.generate(42, 256, 256);
    cv::Mat down;
    cv::resize(big.labels, down, small.labels.size(), 0, 0, cv::INTER_NEAREST);
    const double agree = cv::countNonZero(down == small.labels) / double(small.labels.total());
    EXPECT_GT(agree, 0.85);
}

TEST(Landscape, ForcedConditions)
{
    LandscapeOptions options;
    options.timeOfDay = TimeOfDay::Dusk;
    options.season = Season::Winter;
    const LandscapeGenerator gen(options);
    for (uint64_t seed = 0; seed < 5; ++seed) {
        const LandscapeSample s = gen.generate(seed, 96, 96);
        EXPECT_EQ(s.timeOfDay, TimeOfDay::Dusk);
        EXPECT_EQ(s.season, Season::Winter);
    }
}

TEST(Landscape, PaletteMatchesResourceFile)
{
    const char* root = std::getenv("LDM_SOURCE_DIR");
    ASSERT_NE(root, nullptr) << "LDM_SOURCE_DIR is set by CTest";
    const auto loaded =
        loadLandscapePalette(std::string(root) + "/resources/palettes/landscape.json");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    for (int c = 0; c < LandscapeClassCount; ++c)
        EXPECT_EQ((*loaded)[static_cast<size_t>(c)], landscapePalette()[static_cast<size_t>(c)])
            << "class " << c;
    EXPECT_FALSE(loadLandscapePalette("/nonexistent/palette.json").ok());
}

TEST(Landscape, LabelsToColor)
{
    cv::Mat labels(1, 11, CV_8U);
    for (int i = 0; i < 11; ++i)
        labels.at<uint8_t>(0, i) = static_cast<uint8_t>(i);
    const cv::Mat rgb = labelsToColor(labels);
    ASSERT_EQ(rgb.type(), CV_8UC3);
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(0x87, 0xb8, 0xe8));
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, 7), cv::Vec3b(0x64, 0xc8, 0x3c));
    EXPECT_EQ(rgb.at<cv::Vec3b>(0, 10), cv::Vec3b(255, 0, 255));
    EXPECT_TRUE(labelsToColor(cv::Mat()).empty());
    EXPECT_TRUE(labelsToColor(cv::Mat(2, 2, CV_32F)).empty());
}

TEST(Landscape, SampleSheet)
{
    // LDM_LANDSCAPE_SHEET=resources/models/landscape/sample_sheet.png refreshes the shipped sheet.
    const char* target = std::getenv("LDM_LANDSCAPE_SHEET");
    const std::string path =
        target ? std::string(target)
               : (std::filesystem::temp_directory_path() / "tst_landscape_sheet.png").string();
    const auto written = writeLandscapeSampleSheet(LandscapeGenerator{}, 1, 16, 192, path);
    ASSERT_TRUE(written.ok()) << written.error().message;
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_FALSE(writeLandscapeSampleSheet(LandscapeGenerator{}, 1, 0, 192, path).ok());
}
