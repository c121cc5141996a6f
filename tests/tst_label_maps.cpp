// SPDX-License-Identifier: GPL-3.0-or-later
// What a map file's pixels mean (io/label_map_decode.h): grayscale values are class ids
// (the COCO-Stuff segmentations the CompVis semantic-synthesis release reads), indexed maps
// are read by their palette colours whatever the index order, RGB maps by colour, and ids or
// colours the model lacks are errors that name them. Also the COCO-Stuff palette itself.
#include "checkpoint/class_palettes.h"
#include "io/image_files.h"
#include "io/label_map_decode.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

namespace ldm {
namespace {

std::vector<ClassInfo> cocoClasses()
{
    std::vector<ClassInfo> out;
    for (const auto& c : cocoStuffClasses())
        out.push_back({c.id, c.name, c.color});
    return out;
}

uint32_t rgbOf(const std::string& hex)
{
    return uint32_t(std::stoul(hex.substr(1), nullptr, 16));
}

MapPixels grayPixels(std::vector<uint16_t> values, int width)
{
    MapPixels pixels;
    pixels.kind = MapPixels::Kind::Gray;
    pixels.width = width;
    pixels.height = int(values.size()) / width;
    pixels.values = std::move(values);
    return pixels;
}

TEST(CocoStuffPalette, HasTheReleaseIdsWithDistinctColoursAndLandscapeClassesFirst)
{
    const auto& classes = cocoStuffClasses();
    ASSERT_EQ(int64_t(classes.size()), CocoStuffClassCount);
    std::map<std::string, int> idOf;
    std::set<int> ids;
    std::set<std::string> colours;
    for (const auto& c : classes) {
        idOf[c.name] = c.id;
        ids.insert(c.id);
        colours.insert(c.color);
    }
    EXPECT_EQ(ids.size(), 182u);
    EXPECT_EQ(*ids.begin(), 0);
    EXPECT_EQ(*ids.rbegin(), 181);
    EXPECT_EQ(colours.size(), 182u);
    // 0-based: id i is COCO-Stuff label i + 1 (the fixture README's list).
    const std::map<std::string, int> expected = {
        {"person", 0},  {"clouds", 105}, {"grass", 123},       {"hill", 126}, {"mountain", 134},
        {"river", 147}, {"rock", 149},   {"sand", 153},        {"sea", 154},  {"sky-other", 156},
        {"snow", 158},  {"tree", 168},   {"water-other", 177}, {"wood", 181}, {"dirt", 110}};
    for (const auto& [name, id] : expected)
        EXPECT_EQ(idOf[name], id) << name;
    EXPECT_EQ(classes.front().name, "sky-other");
    EXPECT_EQ(classes.front().color, "#87b8e8"); // the landscape palette's sky
}

TEST(CocoStuffPalette, BrokenPaletteTextIsAnError)
{
    EXPECT_FALSE(parsePaletteJson("[]").ok());
    EXPECT_FALSE(parsePaletteJson(R"({"classes": [{"id": 1, "name": "a", "color": "red"}]})").ok());
    EXPECT_FALSE(parsePaletteJson(R"({"classes": [{"id": 1, "name": "a", "color": "#000000"},
                                                 {"id": 1, "name": "b", "color": "#000001"}]})")
                     .ok());
}

TEST(LabelMapPixels, GrayValuesAreClassIdsAndUnknownIdsAreNamed)
{
    auto map = labelMapFromPixels("ids.png", grayPixels({156, 156, 134, 177}, 2), cocoClasses());
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(map->ids, (std::vector<uint8_t>{156, 156, 134, 177}));

    auto bad = labelMapFromPixels("bad.png", grayPixels({156, 200, 190, 200}, 2), cocoClasses());
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("class id(s) 190, 200"), std::string::npos)
        << bad.error().message;
    EXPECT_NE(bad.error().message.find("182 classes, ids 0..181"), std::string::npos)
        << bad.error().message;

    auto wide = labelMapFromPixels("wide.png", grayPixels({1, 300}, 2), {});
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.error().message.find("300"), std::string::npos) << wide.error().message;
}

TEST(LabelMapPixels, GrayLevelsThatAreClassColoursButNotIdsMapByColour)
{
    // The landscape palette's snow is white and its rock #7f7f7f; its ids are 0..9.
    const std::vector<ClassInfo> landscape = {
        {3, "snow", "#ffffff"}, {4, "rock", "#7f7f7f"}, {0, "sky", "#87b8e8"}};
    auto map = labelMapFromPixels("gray.png", grayPixels({255, 127}, 2), landscape);
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(map->ids, (std::vector<uint8_t>{3, 4}));
}

TEST(LabelMapPixels, IndexedMapsAreReadByTheirPaletteColours)
{
    const auto classes = cocoClasses();
    MapPixels pixels;
    pixels.kind = MapPixels::Kind::Indexed;
    pixels.width = 3;
    pixels.height = 1;
    // Another tool's palette order: index 0 = tree, 1 = sky-other, 2 = water-other.
    std::map<std::string, std::string> colour;
    for (const auto& c : classes)
        colour[c.name] = c.color;
    pixels.palette = {rgbOf(colour["tree"]), rgbOf(colour["sky-other"]),
                      rgbOf(colour["water-other"])};
    pixels.values = {1, 0, 2};
    auto map = labelMapFromPixels("indexed.png", pixels, classes);
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(map->ids, (std::vector<uint8_t>{156, 168, 177}));

    // Without a palette to match, the indices are the ids.
    auto plain = labelMapFromPixels("indexed.png", pixels, {});
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->ids, (std::vector<uint8_t>{1, 0, 2}));
}

TEST(LabelMapPixels, RgbMapsByColourAndGrayRgbAsIds)
{
    MapPixels pixels;
    pixels.kind = MapPixels::Kind::Rgb;
    pixels.width = 2;
    pixels.height = 1;
    pixels.rgb = {0x87, 0xb8, 0xe8, 0x1e, 0x64, 0x28}; // sky-other, tree
    auto map = labelMapFromPixels("rgb.png", pixels, cocoClasses());
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(map->ids, (std::vector<uint8_t>{156, 168}));

    pixels.rgb = {134, 134, 134, 177, 177, 177}; // a grayscale id map saved as RGB
    map = labelMapFromPixels("gray_rgb.png", pixels, cocoClasses());
    ASSERT_TRUE(map.ok()) << map.error().message;
    EXPECT_EQ(map->ids, (std::vector<uint8_t>{134, 177}));

    pixels.rgb = {1, 2, 3, 0x87, 0xb8, 0xe8};
    map = labelMapFromPixels("odd.png", pixels, cocoClasses());
    ASSERT_FALSE(map.ok());
    EXPECT_NE(map.error().message.find("#010203"), std::string::npos) << map.error().message;
}

TEST(LabelMapFiles, IndexedMapsOfSparseIdsRoundTripWithColoursAtTheirIds)
{
    const std::string dir = testing::makeTempDir("label-maps");
    LabelMap map{8, 8, {}};
    const uint8_t sparse[] = {156, 156, 134, 181, 0, 177, 177, 168};
    for (int i = 0; i < 64; ++i)
        map.ids.push_back(sparse[i % 8]);
    const auto classes = cocoClasses();
    ASSERT_TRUE(writeLabelMap(dir + "/map.png", map, classes).ok());
    auto read = readLabelMap(dir + "/map.png", classes);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->ids, map.ids);
    // Shown in the palette's colours by any viewer: the PNG's colour at each pixel.
    auto shown = readImage(dir + "/map.png");
    ASSERT_TRUE(shown.ok());
    EXPECT_EQ(shown->pixels[0], 0x87); // sky-other's red
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace ldm
