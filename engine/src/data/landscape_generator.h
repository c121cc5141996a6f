// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Procedural landscape world: (semantic map, image, caption) triples for training the default
// hybrid "landscape" LDM, which no downloadable dataset could provide.
//
// Usage:
//     ldm::data::LandscapeGenerator gen{ldm::data::LandscapeOptions{}};
//     ldm::data::LandscapeSample s = gen.generate(/*seed*/ 42, 256, 256);
//     // s.labels: CV_8U class ids 0..9 (resources/palettes/landscape.json)
//     // s.image:  CV_8UC3, RGB order
//     // s.caption: "snowy mountains above a lake at sunset"
//
// Determinism: one (seed, width, height, options) gives the same pixels and caption on every
// run, thread count and standard library (own PRNG and noise, no std distributions). Sizes are
// resolution independent in layout: the same seed at 256x256 and 512x512 gives the same scene.
// Thread safety: generate() is const and keeps no state, so one generator may be shared.

#include "ldm/result.h"

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ldm::data {

/// Class ids of the landscape palette; they must match resources/palettes/landscape.json.
enum class LandscapeClass : uint8_t {
    Sky = 0,
    Cloud = 1,
    Mountain = 2,
    Snow = 3,
    Rock = 4,
    Water = 5,
    Sand = 6,
    Grass = 7,
    Forest = 8,
    Dirt = 9,
};

/// Number of landscape classes.
constexpr int LandscapeClassCount = 10;

/// Lighting condition of a scene.
enum class TimeOfDay : uint8_t { Day, GoldenHour, Dusk, Overcast };

/// Season of a scene (winter brings low snowlines and snow-covered ground).
enum class Season : uint8_t { Summer, Autumn, Winter };

/// Knobs of the generator. Defaults give the training distribution.
struct LandscapeOptions
{
    /// Force one lighting condition instead of drawing it from the seed.
    std::optional<TimeOfDay> timeOfDay;
    /// Force one season instead of drawing it from the seed.
    std::optional<Season> season;
    /// Film grain standard deviation in 8-bit levels at 256 px height (0 disables).
    float grain = 2.0f;
    /// Darken the corners a little, as real lenses do.
    bool vignette = true;
};

/// One generated scene. The label map is exact: each pixel's id is the class rendered there
/// (a soft-edged cloud pixel counts as cloud once the cloud covers at least half of it).
struct LandscapeSample
{
    cv::Mat labels;      ///< CV_8U class ids, 0..LandscapeClassCount-1
    cv::Mat image;       ///< CV_8UC3, RGB order
    std::string caption; ///< English description of the visible classes and conditions
    TimeOfDay timeOfDay = TimeOfDay::Day;                ///< lighting the scene was rendered with
    Season season = Season::Summer;                      ///< season the scene was rendered with
    std::array<float, LandscapeClassCount> classShare{}; ///< fraction of pixels per class
};

/// Deterministic procedural landscape renderer.
class LandscapeGenerator
{
public:
    /// Largest accepted side; bigger requests return an empty sample.
    static constexpr int MaxSide = 8192;
    /// Smallest accepted side.
    static constexpr int MinSide = 16;

    /// Keeps the options; construction does no work.
    explicit LandscapeGenerator(LandscapeOptions options = {});

    /// Renders the scene of `seed` at width x height. Returns an empty sample (empty mats) when
    /// a side is outside [MinSide, MaxSide]; it never throws.
    LandscapeSample generate(uint64_t seed, int width, int height) const;

private:
    LandscapeOptions m_options;
};

/// Display colour (RGB) of each class, embedded from resources/palettes/landscape.json (a unit
/// test checks the two agree, so the engine needs no resource path to colourise a map).
const std::array<cv::Vec3b, LandscapeClassCount>& landscapePalette();

/// Lower-case class name ("sky", "cloud", ...), as in the palette file.
const char* landscapeClassName(LandscapeClass id);

/// Colourises a CV_8U label map into CV_8UC3 RGB with the palette; ids out of range become
/// magenta so a bad map is obvious. An empty or non-CV_8U input gives an empty Mat.
cv::Mat labelsToColor(const cv::Mat& labels);

/// Reads a palette JSON file (resources/palettes/*.json) into RGB colours indexed by class id.
Result<std::array<cv::Vec3b, LandscapeClassCount>> loadLandscapePalette(const std::string& path);

/// Writes a PNG contact sheet of `count` samples (seeds firstSeed, firstSeed+1, ...): each cell
/// shows the image and its colourised label map side by side, with the caption below, for
/// judging the renders by eye.
Result<void> writeLandscapeSampleSheet(const LandscapeGenerator& generator, uint64_t firstSeed,
                                       int count, int cellSize, const std::string& path);

} // namespace ldm::data
