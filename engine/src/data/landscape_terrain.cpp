// SPDX-License-Identifier: GPL-3.0-or-later
// Shaders of the solid ground: mountain ranges and the nearer hills with their materials.
#include "data/landscape_render.h"

#include <algorithm>
#include <cmath>

namespace ldm::data {
namespace {

constexpr Rgb SnowAlbedo{0.92f, 0.94f, 0.98f};

Rgb lit(const Scene& s, Rgb albedo, float direct, float ambient = 1.0f)
{
    return albedo * (s.light.sun * std::max(0.0f, direct) + s.light.ambient * ambient);
}

float hashUnit(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

// Stratified rock: tilted layers broken by cracks; `scale` is pixels per stratum.
float rockPattern(float fx, float fy, float scale, uint32_t seed, float tilt)
{
    const float u = fx / scale;
    const float v = fy / scale;
    const float warp = fbm(u * 0.35f, v * 0.35f, seed, 3);
    const float strata = std::sin((v + tilt * u + 3.0f * warp) * 2.1f);
    const float crack = std::fabs(fbm(u * 0.6f, v * 1.4f, seed + 7u, 3));
    return 0.78f + 0.12f * strata + 0.5f * fbm(u, v, seed + 3u, 3) -
           0.35f * smoothStep(0.06f, 0.0f, crack);
}

Rgb forestColor(const Scene& s, uint32_t tree, float& snowDust)
{
    const float r = hashUnit(tree);
    const float r2 = hashUnit(tree * 31u + 7u);
    const bool conifer = s.conifers ? r2 < 0.85f : r2 < 0.15f;
    snowDust = 0.0f;
    Rgb c;
    if (conifer) {
        c = mix(Rgb{0.05f, 0.13f, 0.07f}, Rgb{0.09f, 0.19f, 0.09f}, r);
        if (s.season == Season::Winter)
            snowDust = 0.35f + 0.5f * r2;
        return c;
    }
    switch (s.season) {
    case Season::Summer:
        c = mix(Rgb{0.09f, 0.21f, 0.06f}, Rgb{0.18f, 0.31f, 0.08f}, r);
        break;
    case Season::Autumn:
        c = r < 0.25f   ? Rgb{0.50f, 0.26f, 0.08f}
            : r < 0.4f  ? Rgb{0.42f, 0.14f, 0.07f}
            : r < 0.65f ? Rgb{0.55f, 0.42f, 0.12f}
                        : Rgb{0.20f, 0.24f, 0.09f};
        c = c * (0.75f + 0.35f * r2);
        break;
    case Season::Winter:
        c = mix(Rgb{0.22f, 0.19f, 0.17f}, Rgb{0.32f, 0.28f, 0.25f}, r);
        break;
    }
    return c;
}

// Tree crowns as cells whose size follows the perspective; lit on the sun side, dark between.
Rgb shadeForest(const Scene& s, const Layer& g, float fx, float fy, float nxLight)
{
    const float dz = std::max(1.0f, fy - g.planeRow);
    const float crownPx = std::max(0.9f, g.treeSize * dz * (s.conifers ? 0.2f : 0.28f));
    const float aspect = s.conifers ? 1.9f : 1.1f;
    const CellSample c = cellNoise(fx / crownPx, fy / (crownPx * aspect), g.seed + 101u);
    float snowDust = 0.0f;
    const Rgb albedo = forestColor(s, c.cellId, snowDust);
    const float sunSide = c.dx * s.light.sunDir * 0.9f - c.dy * 0.7f;
    const float gap = smoothStep(0.95f, 0.35f, c.dist);
    float direct = (0.45f + sunSide + 0.4f * nxLight) * gap;
    Rgb col = lit(s, albedo, direct, 0.35f + 0.65f * gap);
    if (snowDust > 0.0f && c.dy < 0.0f)
        col = mix(col, lit(s, SnowAlbedo, 0.5f + sunSide),
                  snowDust * gap * smoothStep(0.1f, -0.5f, c.dy));
    // Fine leaf texture below the crown scale.
    const float leaf = valueNoise(fx * 0.9f, fy * 0.9f, g.seed + 5u);
    return col * (0.8f + 0.4f * leaf);
}

// Bumps of tree height across the ground (cells in plane units, so they stay put from row to
// row): pushes the forest's far edge up into tree tops.
float crownBump(float gx, float treeWidth, uint32_t seed)
{
    const float cell = std::floor(gx / treeWidth);
    const float t = gx / treeWidth - cell;
    const float jit = latticeValue(static_cast<int32_t>(cell), 7, seed);
    return std::sqrt(std::max(0.0f, 1.0f - (2.0f * t - 1.0f) * (2.0f * t - 1.0f))) *
           (0.5f + 0.5f * jit);
}

} // namespace

bool forestAt(const Layer& g, float gx, float gz, float footprint)
{
    return g.forestBias > -0.9f &&
           fbmAbove(gx * 1.1f, gz * 1.1f, g.seed + 11u, 5, 0.55f, footprint * 1.1f, -g.forestBias);
}

Shade shadeMountain(const Scene& s, const Layer& m, int x, int y)
{
    const float fx = static_cast<float>(x) + 0.5f;
    const float fy = static_cast<float>(y) + 0.5f;
    const float h = static_cast<float>(s.height);
    const float ridge = m.ridge[static_cast<size_t>(x)];
    const float depth = std::max(0.0f, fy - ridge);
    const float alt = (m.baseRow - fy) / m.peakHeight;

    // Faces follow the ridge at a scale that widens downhill, so spurs fan out below peaks;
    // a second, finer scale breaks the big faces into facets.
    const float wide = ridgeSlope(m, fx, 1.5f + depth * 0.8f);
    const float fine = ridgeSlope(m, fx, 1.5f + depth * 0.25f);
    const float u = fx / h;
    const float v = fy / h;
    const float fp = 1.0f / h;
    // Gullies run down the fall line: stretched vertically and sheared with the face.
    const float shear = std::clamp(wide, -2.0f, 2.0f) * 0.5f;
    const float gx0 = (u + shear * v) * 11.0f;
    const float g0 = fbm(gx0, v * 4.0f, m.seed + 1u, 5, 0.42f, fp * 11.0f);
    const float g1 = fbm(gx0 + 16.0f / h, v * 4.0f, m.seed + 1u, 5, 0.42f, fp * 11.0f);
    // Lower slopes are vegetated and smoother; gullies cut the upper faces.
    const float gully =
        std::clamp((g1 - g0) * h * 0.05f, -0.6f, 0.6f) * smoothStep(0.05f, 0.45f, alt);
    const float nWide = wide / std::sqrt(1.0f + wide * wide);
    const float nFine = fine / std::sqrt(1.0f + fine * fine);
    const float nx = std::clamp(0.55f * nWide + 0.35f * nFine + gully, -1.0f, 1.0f);
    const float direct = 0.42f + 0.7f * nx * s.light.sunDir;

    Shade out;
    const float blotch = fbm(u * 7.0f, v * 7.0f, m.seed + 3u, 3, 0.5f, fp * 7.0f);
    const float snowLevel = m.snowline + 0.5f * blotch + 0.2f * std::fabs(nWide) - 0.25f * g0;
    const float strata = rockPattern(fx, fy, std::max(1.5f, 0.012f * h), m.seed + 13u,
                                     0.3f * std::sin(static_cast<float>(m.seed & 7u)));
    if (alt > snowLevel) {
        out.cls = LandscapeClass::Snow;
        const float drift = 0.95f + 0.15f * blotch - 0.08f * (1.0f - strata);
        out.col = lit(s, SnowAlbedo * drift, direct + 0.1f);
    } else {
        const float cliff = std::fabs(nWide) + 0.7f * blotch + 0.5f * g0;
        if (m.cliffs && cliff > 0.68f && alt > 0.15f) {
            out.cls = LandscapeClass::Rock;
            out.col = lit(s, m.bodyColor * (1.05f * strata), direct);
        } else {
            out.cls = LandscapeClass::Mountain;
            const float vegAmt = smoothStep(0.5f, 0.15f, alt + 0.6f * blotch);
            const float canopy = 0.8f + 0.4f * valueNoise(fx * 0.7f, fy * 0.9f, m.seed + 4u);
            const Rgb rock = m.bodyColor * (strata * (1.0f + 0.5f * blotch));
            out.col = lit(s, mix(rock, m.vegColor * canopy, vegAmt), direct);
        }
    }
    // Atmospheric perspective, thicker in the valley (mist at the foot of the range).
    const float low = 1.0f - clampf(alt, 0.0f, 1.0f);
    const float hz = clampf(m.haze + (1.0f - m.haze) * 0.4f * low * low * low, 0.0f, 0.95f);
    out.col = mix(out.col, s.light.haze, hz);
    return out;
}

Shade shadeGround(const Scene& s, const Layer& g, int x, int y, bool& isPath)
{
    isPath = false;
    const float fx = static_cast<float>(x) + 0.5f;
    const float fy = static_cast<float>(y) + 0.5f;
    const float h = static_cast<float>(s.height);
    const float ridge = g.ridge[static_cast<size_t>(x)];
    const float depth = fy - ridge;
    const float dz = std::max(1.0f, fy - g.planeRow);
    const float gx = (fx - 0.5f * static_cast<float>(s.width)) / dz;
    const float gz = h / dz;
    const float fp = std::max(1.0f / dz, h / (dz * dz));

    const float slope = ridgeSlope(g, fx, 2.0f + std::max(0.0f, depth) * 1.2f);
    const float nx =
        slope / std::sqrt(1.0f + slope * slope) * std::exp(-std::max(0.0f, depth) / (0.25f * h));
    const float flat = s.time == TimeOfDay::GoldenHour ? 0.45f : 0.75f;
    float direct = flat + 0.6f * nx * s.light.sunDir;
    const bool sunny = s.time == TimeOfDay::Day || s.time == TimeOfDay::GoldenHour;
    if (sunny && s.clouds.cover > 0.15f && s.clouds.cover < 0.85f) {
        // Shadows of the clouds drifting over the land.
        const float shift = 0.25f * (s.clouds.cover - 0.5f);
        const float c = fbmUnless(gx * 0.35f, gz * 0.35f, s.clouds.seed + 77u, 3, 0.5f, fp * 0.35f,
                                  -0.02f - shift);
        direct *= 1.0f - 0.65f * smoothStep(-0.02f, 0.06f, c + shift);
    }
    const float hz = clampf(g.haze * std::min(1.0f, 0.05f * h / dz) * 1.6f, 0.0f, 0.9f);

    Shade out;
    auto finish = [&](Shade o) {
        o.col = mix(o.col, s.light.haze, hz);
        return o;
    };
    // Tree tops standing on the ridge.
    if (depth < 0.0f) {
        out.cls = LandscapeClass::Forest;
        out.col = shadeForest(s, g, fx, fy, nx);
        return finish(out);
    }
    const float treePx = g.treeSize * dz;
    {
        const float bump = crownBump(gx, g.treeSize * (s.conifers ? 0.45f : 0.7f), g.seed);
        const float dzTree = std::max(1.0f, fy + treePx * bump * 0.45f - g.planeRow);
        const float gxTree = (fx - 0.5f * static_cast<float>(s.width)) / dzTree;
        if (forestAt(g, gxTree, h / dzTree, fp)) {
            out.cls = LandscapeClass::Forest;
            out.col = shadeForest(s, g, fx, fy, nx);
            return finish(out);
        }
    }
    if (g.rockBias > -0.9f) {
        // Boulders: stretched along the view so they do not flatten into puddles on screen.
        const float r =
            fbmUnless(gx * 3.0f, gz * 1.2f, g.seed + 21u, 4, 0.55f, fp * 3.0f, -g.rockBias) +
            g.rockBias;
        if (r > 0.0f) {
            out.cls = LandscapeClass::Rock;
            const float r2 =
                fbm(gx * 3.0f + 0.06f, gz * 1.2f, g.seed + 21u, 4, 0.55f, fp * 3.0f) + g.rockBias;
            const float side = std::clamp((r - r2) * 25.0f, -1.0f, 1.0f) * s.light.sunDir;
            const float dome = std::min(1.0f, r * 25.0f);
            const float pattern =
                rockPattern(fx, fy, std::max(1.2f, dz * 0.04f), g.seed + 23u, 0.2f);
            const Rgb grey =
                mix(Rgb{0.44f, 0.42f, 0.40f}, Rgb{0.52f, 0.47f, 0.40f}, hashUnit(g.seed));
            Rgb col = lit(s, grey * (1.1f * pattern), direct * (0.55f + 0.45f * dome + 0.4f * side),
                          0.7f + 0.4f * dome);
            if (s.season == Season::Winter && dome > 0.6f)
                col = mix(col, lit(s, SnowAlbedo, direct), 0.5f);
            out.col = col;
            return finish(out);
        }
    }
    if (g.path) {
        const float centre = g.pathX +
                             0.35f * std::sin(gz * 0.8f + static_cast<float>(g.seed & 15u)) +
                             0.5f * fbm1(gz * 0.4f, g.seed + 31u, 3);
        const float width = 0.06f * (1.0f + 0.6f * fbm(gx, gz, g.seed + 32u, 2));
        if (std::fabs(gx - centre) < width) {
            isPath = true;
            out.cls = LandscapeClass::Dirt;
            const float tex =
                0.85f + 0.4f * fbm(gx * 30.0f, gz * 30.0f, g.seed + 33u, 3, 0.5f, fp * 30.0f);
            out.col = lit(s, Rgb{0.42f, 0.32f, 0.22f} * tex, direct);
            return finish(out);
        }
    }
    if (g.snowBias > -0.9f &&
        fbmAbove(gx * 1.5f, gz * 1.5f, g.seed + 41u, 4, 0.5f, fp * 1.5f, -g.snowBias)) {
        out.cls = LandscapeClass::Snow;
        const float tex =
            0.96f + 0.08f * fbm(gx * 8.0f, gz * 8.0f, g.seed + 42u, 3, 0.5f, fp * 8.0f);
        out.col = lit(s, SnowAlbedo * tex, direct);
        return finish(out);
    }
    const float patch = fbm(gx * 0.8f, gz * 0.8f, g.seed + 51u, 3, 0.5f, fp * 0.8f);
    if (g.dirtBias > -0.9f &&
        fbmAbove(gx * 2.0f, gz * 2.0f, g.seed + 52u, 4, 0.5f, fp * 2.0f, -g.dirtBias)) {
        out.cls = LandscapeClass::Dirt;
        float tex = 0.85f + 0.5f * patch +
                    0.3f * fbm(gx * 25.0f, gz * 25.0f, g.seed + 53u, 3, 0.5f, fp * 25.0f);
        if (g.furrows) {
            const float lines = std::sin(gx * 28.0f + 2.0f * patch);
            const float fade = smoothStep(0.9f, 0.4f, 28.0f / dz);
            tex *= 1.0f - 0.22f * fade * (0.5f + 0.5f * lines);
        }
        const Rgb soil =
            mix(Rgb{0.34f, 0.24f, 0.16f}, Rgb{0.46f, 0.36f, 0.24f}, hashUnit(g.seed + 1u));
        out.col = lit(s, soil * tex, direct);
        return finish(out);
    }
    const bool sandy = g.ground == GroundKind::Beach &&
                       !(g.grassBias > -0.9f && fbmAbove(gx * 2.5f, gz * 2.5f, g.seed + 61u, 4,
                                                         0.5f, fp * 2.5f, -g.grassBias));
    if (sandy) {
        out.cls = LandscapeClass::Sand;
        const float ripple = std::sin(gz * 14.0f + gx * 2.0f + 5.0f * patch);
        const float fade = smoothStep(0.8f, 0.3f, 14.0f * fp);
        const float tex = 0.94f + 0.4f * patch + 0.07f * ripple * fade +
                          0.1f * (valueNoise(fx * 0.8f, fy * 0.8f, g.seed) - 0.5f) +
                          0.12f * fbm(gx * 10.0f, gz * 10.0f, g.seed + 62u, 3, 0.5f, fp * 10.0f);
        Rgb albedo = Rgb{0.80f, 0.70f, 0.50f} * tex;
        // Wet sand along the waterline.
        if (s.sea || s.lake) {
            const float wet = smoothStep(0.05f * dz + 2.0f, 0.0f, depth);
            albedo = mix(albedo, Rgb{0.50f, 0.43f, 0.32f}, wet * (g.haze < 0.11f ? 1.0f : 0.0f));
        }
        out.col = lit(s, albedo, direct);
        return finish(out);
    }
    out.cls = LandscapeClass::Grass;
    Rgb green;
    Rgb dry;
    switch (s.season) {
    case Season::Summer:
        green = {0.20f, 0.38f, 0.09f};
        dry = {0.42f, 0.44f, 0.16f};
        break;
    case Season::Autumn:
        green = {0.30f, 0.34f, 0.12f};
        dry = {0.52f, 0.44f, 0.20f};
        break;
    case Season::Winter:
        green = {0.34f, 0.34f, 0.24f};
        dry = {0.46f, 0.42f, 0.30f};
        break;
    }
    if (g.ground == GroundKind::Beach)
        green = mix(green, dry, 0.5f);
    const float bladeW = std::max(0.6f, dz * 0.01f);
    const float blade = valueNoise(fx / bladeW, fy / (bladeW * 4.0f), g.seed + 71u) - 0.5f;
    const float bladeFade = smoothStep(0.6f, 1.4f, bladeW);
    const float tex = 0.9f + 0.4f * patch + bladeFade * 0.55f * blade +
                      0.15f * fbm(gx * 12.0f, gz * 12.0f, g.seed + 72u, 3, 0.5f, fp * 12.0f);
    out.col = lit(s, mix(green, dry, clampf(0.5f + 1.8f * patch, 0.0f, 1.0f)) * tex, direct);
    return finish(out);
}

} // namespace ldm::data
