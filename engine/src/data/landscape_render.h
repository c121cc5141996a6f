// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Per-pixel shaders of the landscape world. Each returns the class it rendered together with
// the colour, so the label map cannot drift from the picture.

#include "data/landscape_scene.h"

#include <array>
#include <cstdint>
#include <vector>

namespace ldm::data {

/// The outcome of shading one pixel.
struct Shade
{
    LandscapeClass cls = LandscapeClass::Sky;
    Rgb col;
};

/// Pixel counts gathered while rendering, for the caption.
struct RenderStats
{
    std::array<int64_t, LandscapeClassCount> count{};
    int64_t mountainSnow = 0; ///< snow pixels that belong to mountain ranges
    int64_t mountainRock = 0; ///< rock pixels that are cliffs of a range
    int64_t pathDirt = 0;     ///< dirt pixels of tracks (not fields)
    int64_t total = 0;
};

/// Whether ground-plane point (gx, gz) of a ground layer is forest; `footprint` is the pixel
/// size in plane units.
bool forestAt(const Layer& g, float gx, float gz, float footprint);

/// Sky and clouds.
Shade shadeSky(const Scene& s, int x, int y);

/// A mountain range pixel (mountain, snow, or rock on cliffs).
Shade shadeMountain(const Scene& s, const Layer& m, int x, int y);

/// A ground pixel (grass, forest, dirt, rock, sand or snow). `isPath` is set for track pixels.
Shade shadeGround(const Scene& s, const Layer& g, int x, int y, bool& isPath);

/// A water pixel; `frame` holds the rows above the horizon already rendered (reflections) and
/// `shoreRow` is the row where the nearest land in front begins in this column.
Shade shadeWater(const Scene& s, const Layer& w, int x, int y, float shoreRow,
                 const std::vector<Rgb>& frame);

/// Renders the whole scene: class ids into `labels` (width*height) and colours into `frame`.
void renderScene(const Scene& s, std::vector<uint8_t>& labels, std::vector<Rgb>& frame,
                 RenderStats& stats);

} // namespace ldm::data
