// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal description of one procedural scene: its layout (layers with per-column top edges),
// lighting and materials. buildScene() draws it from a seed; the renderer only reads it.

#include "data/landscape_generator.h"
#include "data/landscape_noise.h"

#include <cstdint>
#include <vector>

namespace ldm::data {

/// Linear-ish RGB colour in [0, 1+] used while shading.
struct Rgb
{
    float r = 0.0f;
    float g = 0.0f;
    float b = 0.0f;
};

inline Rgb operator+(Rgb a, Rgb b)
{
    return {a.r + b.r, a.g + b.g, a.b + b.b};
}
inline Rgb operator-(Rgb a, Rgb b)
{
    return {a.r - b.r, a.g - b.g, a.b - b.b};
}
inline Rgb operator*(Rgb a, Rgb b)
{
    return {a.r * b.r, a.g * b.g, a.b * b.b};
}
inline Rgb operator*(Rgb a, float s)
{
    return {a.r * s, a.g * s, a.b * s};
}
inline Rgb mix(Rgb a, Rgb b, float t)
{
    return a + (b - a) * t;
}

/// What a layer is made of; decides its shader.
enum class LayerKind : uint8_t { Mountain, Water, Ground };

/// Main surface of a ground layer; patches of other classes are added by noise fields.
enum class GroundKind : uint8_t { Meadow, Woodland, Field, Rocky, Beach, Snowfield };

/// One band of the scene, covering every pixel at or below its top edge (unless a layer in
/// front covers it). Layers are stored back to front.
struct Layer
{
    LayerKind kind = LayerKind::Ground;
    std::vector<float> top;   ///< per column: first covered row (fractional, pixels)
    std::vector<float> ridge; ///< per column: bare ground edge (top minus tree crowns)
    std::vector<double> sum;  ///< prefix sums of ridge, for slopes smoothed at any width
    std::vector<float> crown; ///< per column: tree-crown height above the ridge (pixels)
    uint32_t seed = 0;
    float haze = 0.0f;     ///< fraction of haze colour mixed in (atmospheric perspective)
    float planeRow = 0.0f; ///< vanishing row of this layer's ground plane (pixels)

    // Mountains.
    float baseRow = 0.0f;    ///< row of the range's foot (the horizon)
    float peakHeight = 1.0f; ///< tallest peak above the foot (pixels)
    float snowline = 0.7f;   ///< snow above this fraction of peakHeight
    bool cliffs = false;     ///< steep faces show as rock (nearest range only)
    Rgb bodyColor;           ///< rock/soil albedo
    Rgb vegColor;            ///< vegetation albedo on the lower slopes

    // Ground.
    GroundKind ground = GroundKind::Meadow;
    float forestBias = -1.0f; ///< higher: more forest patches
    float dirtBias = -1.0f;   ///< higher: more bare earth
    float rockBias = -1.0f;   ///< higher: more outcrops
    float snowBias = -1.0f;   ///< higher: more snow cover (winter)
    float grassBias = -1.0f;  ///< beaches: grass tufts in the dunes
    bool path = false;        ///< a dirt track winds towards the horizon
    float pathX = 0.0f;       ///< where the path heads (plane units)
    bool furrows = false;     ///< plowed field stripes on dirt
    float treeSize = 0.1f;    ///< tree height as a fraction of the distance to planeRow

    // Water.
    bool sea = false;
    float waveAmp = 0.3f; ///< ripple strength (0 mirror-calm .. 1 choppy)
};

/// Colours and light of the scene.
struct Lighting
{
    Rgb zenith;
    Rgb horizon;
    Rgb sun;     ///< direct light colour x strength
    Rgb ambient; ///< sky fill light
    Rgb haze;    ///< colour distant things fade into
    Rgb cloudLit;
    Rgb cloudDark;
    Rgb glow;             ///< halo around the sun
    Rgb water;            ///< deep water albedo
    float sunX = 0.5f;    ///< sun column (pixels)
    float sunY = 0.0f;    ///< sun row (pixels; may be below the horizon)
    float sunDir = 1.0f;  ///< +1 light from the right, -1 from the left
    float sunDisk = 0.0f; ///< visibility of the sun disk (0 none)
    float exposure = 1.0f;
};

/// The sky's cloud layer.
struct CloudLayer
{
    float cover = 0.3f;    ///< fraction of sky covered
    float scale = 1.0f;    ///< feature size
    float stretch = 1.0f;  ///< >1: streaky cirrus-like clouds
    float softness = 0.1f; ///< edge width in noise units
    float billow = 0.0f;   ///< 1: puffy cumulus
    uint32_t seed = 0;
};

/// Everything needed to render one scene.
struct Scene
{
    int width = 0;
    int height = 0;
    float horizon = 0.0f; ///< horizon row (pixels)
    TimeOfDay time = TimeOfDay::Day;
    Season season = Season::Summer;
    Lighting light;
    CloudLayer clouds;
    std::vector<Layer> layers; ///< back to front
    bool lake = false;
    bool sea = false;
    bool conifers = false;
    bool dunes = false;
    uint64_t captionSeed = 0;
    uint32_t grainSeed = 0;
};

/// Draws a scene from `seed` for a width x height frame.
Scene buildScene(uint64_t seed, int width, int height, const LandscapeOptions& options);

/// Mean of ridge over columns [x0, x1] of a layer, via its prefix sums (clamped to the frame).
inline float ridgeMean(const Layer& layer, float x0, float x1)
{
    const int n = static_cast<int>(layer.ridge.size());
    int a = static_cast<int>(x0);
    int b = static_cast<int>(x1);
    a = a < 0 ? 0 : (a > n - 1 ? n - 1 : a);
    b = b < a ? a : (b > n - 1 ? n - 1 : b);
    return static_cast<float>((layer.sum[b + 1] - layer.sum[a]) / (b - a + 1));
}

/// Slope of a layer's edge at column x, averaged over a window of half-width w (pixels):
/// positive where the edge falls towards the right, i.e. the face looks right.
inline float ridgeSlope(const Layer& layer, float x, float w)
{
    const float left = ridgeMean(layer, x - w, x - 1.0f);
    const float right = ridgeMean(layer, x + 1.0f, x + w);
    return (right - left) / (w + 1.0f);
}

} // namespace ldm::data
