// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/landscape_scene.h"

#include "data/landscape_render.h"

#include <algorithm>
#include <cmath>

namespace ldm::data {
namespace {

Rgb jitter(Rng& rng, Rgb c, float amount)
{
    const float k = 1.0f + amount * (rng.uniform() * 2.0f - 1.0f);
    return {c.r * k * (1.0f + 0.5f * amount * (rng.uniform() - 0.5f)), c.g * k,
            c.b * k * (1.0f + 0.5f * amount * (rng.uniform() - 0.5f))};
}

// Octaves so the finest one is about two pixels wide: more detail at higher resolutions.
int octavesFor(int height, float freq)
{
    const float n = std::log2(std::max(2.0f, static_cast<float>(height) / (2.0f * freq))) + 1.0f;
    return std::clamp(static_cast<int>(n), 2, 11);
}

void finishLayer(Layer& layer)
{
    const size_t n = layer.ridge.size();
    layer.sum.assign(n + 1, 0.0);
    for (size_t i = 0; i < n; ++i)
        layer.sum[i + 1] = layer.sum[i] + layer.ridge[i];
    if (layer.crown.size() != n)
        layer.crown.assign(n, 0.0f);
    layer.top.resize(n);
    for (size_t i = 0; i < n; ++i)
        layer.top[i] = layer.ridge[i] - layer.crown[i];
}

Lighting makeLighting(Rng& rng, TimeOfDay time, const Scene& s)
{
    Lighting l;
    const float h = static_cast<float>(s.height);
    l.sunX = rng.uniform(0.05f, 0.95f) * static_cast<float>(s.width);
    l.sunDir = l.sunX > 0.5f * static_cast<float>(s.width) ? 1.0f : -1.0f;
    switch (time) {
    case TimeOfDay::Day:
        l.zenith = {0.16f, 0.38f, 0.80f};
        l.horizon = {0.66f, 0.80f, 0.94f};
        l.sun = {1.10f, 1.04f, 0.94f};
        l.ambient = {0.30f, 0.36f, 0.48f};
        l.haze = {0.66f, 0.76f, 0.90f};
        l.cloudLit = {1.04f, 1.04f, 1.04f};
        l.cloudDark = {0.58f, 0.62f, 0.72f};
        l.glow = {0.20f, 0.18f, 0.12f};
        l.water = {0.04f, 0.13f, 0.20f};
        l.sunY = -rng.uniform(0.1f, 0.6f) * h;
        break;
    case TimeOfDay::GoldenHour:
        l.zenith = {0.22f, 0.30f, 0.58f};
        l.horizon = {1.00f, 0.60f, 0.30f};
        l.sun = {1.15f, 0.70f, 0.36f};
        l.ambient = {0.26f, 0.22f, 0.32f};
        l.haze = {0.96f, 0.66f, 0.46f};
        l.cloudLit = {1.05f, 0.64f, 0.42f};
        l.cloudDark = {0.40f, 0.30f, 0.42f};
        l.glow = {1.00f, 0.55f, 0.20f};
        l.water = {0.05f, 0.06f, 0.10f};
        l.sunY = s.horizon - rng.uniform(0.02f, 0.22f) * h;
        l.sunDisk = 1.0f;
        l.exposure = 0.95f;
        break;
    case TimeOfDay::Dusk:
        l.zenith = {0.06f, 0.09f, 0.26f};
        l.horizon = {0.78f, 0.46f, 0.44f};
        l.sun = {0.22f, 0.14f, 0.16f};
        l.ambient = {0.17f, 0.17f, 0.30f};
        l.haze = {0.46f, 0.38f, 0.52f};
        l.cloudLit = {0.78f, 0.46f, 0.52f};
        l.cloudDark = {0.16f, 0.15f, 0.26f};
        l.glow = {0.50f, 0.22f, 0.14f};
        l.water = {0.02f, 0.03f, 0.07f};
        l.sunY = s.horizon + 0.06f * h;
        break;
    case TimeOfDay::Overcast:
        l.zenith = {0.54f, 0.58f, 0.64f};
        l.horizon = {0.76f, 0.78f, 0.80f};
        l.sun = {0.22f, 0.22f, 0.23f};
        l.ambient = {0.64f, 0.66f, 0.70f};
        l.haze = {0.70f, 0.72f, 0.75f};
        l.cloudLit = {0.86f, 0.87f, 0.90f};
        l.cloudDark = {0.46f, 0.48f, 0.53f};
        l.glow = {0.0f, 0.0f, 0.0f};
        l.water = {0.08f, 0.11f, 0.13f};
        l.sunY = -0.5f * h;
        break;
    }
    l.zenith = jitter(rng, l.zenith, 0.08f);
    l.horizon = jitter(rng, l.horizon, 0.06f);
    l.haze = jitter(rng, l.haze, 0.05f);
    l.exposure *= rng.uniform(0.92f, 1.08f);
    return l;
}

CloudLayer makeClouds(Rng& rng, TimeOfDay time)
{
    CloudLayer c;
    c.seed = static_cast<uint32_t>(rng.next());
    const float r = rng.uniform();
    switch (time) {
    case TimeOfDay::Overcast:
        c.cover = rng.uniform(0.75f, 1.0f);
        break;
    case TimeOfDay::Dusk:
        c.cover = r < 0.3f ? 0.0f : rng.uniform(0.1f, 0.55f);
        break;
    default:
        c.cover = r < 0.22f ? rng.uniform(0.0f, 0.04f) : rng.uniform(0.12f, 0.7f);
        break;
    }
    c.scale = rng.uniform(0.6f, 1.6f);
    c.billow = rng.uniform();
    c.stretch = rng.chance(0.3f) ? rng.uniform(2.0f, 4.0f) : rng.uniform(0.9f, 1.4f);
    c.softness =
        time == TimeOfDay::Overcast ? rng.uniform(0.08f, 0.16f) : rng.uniform(0.02f, 0.08f);
    return c;
}

// A mountain range whose foot stands on the horizon; `far` is 1 for the backmost range.
Layer makeRange(Rng& rng, const Scene& s, float far, bool nearest)
{
    Layer m;
    m.kind = LayerKind::Mountain;
    m.seed = static_cast<uint32_t>(rng.next());
    const float h = static_cast<float>(s.height);
    const float room = s.horizon - 0.04f * h;
    m.baseRow = s.horizon;
    m.peakHeight = std::max(4.0f, room * rng.uniform(0.35f, 0.9f) * (0.5f + 0.5f * far));
    const float freq = rng.uniform(1.2f, 3.2f) * (0.8f + 0.5f * (1.0f - far));
    const float ridgeMix = rng.uniform(0.2f, 0.8f);
    const float offset = rng.uniform(-50.0f, 50.0f);
    const float low = rng.uniform(0.0f, 0.45f); // how far the valleys reach down
    const int oct = octavesFor(s.height, freq);
    m.ridge.resize(static_cast<size_t>(s.width));
    float lo = 1e9f;
    float hi = -1e9f;
    for (int x = 0; x < s.width; ++x) {
        const float u = (static_cast<float>(x) - 0.5f * static_cast<float>(s.width)) / h;
        const float broad = fbm1(u * freq * 0.5f + offset, m.seed, 3, 0.5f);
        const float detail = fbm1(u * freq + offset, m.seed + 17u, oct, 0.5f);
        const float sharp = 1.0f - 2.6f * std::fabs(fbm1(u * freq * 0.7f + offset, m.seed + 5u, 4));
        const float p = broad + 0.9f * detail * (1.0f - ridgeMix) + 0.35f * ridgeMix * sharp;
        m.ridge[static_cast<size_t>(x)] = p;
        lo = std::min(lo, p);
        hi = std::max(hi, p);
    }
    // Normalise over the visible stretch so the tallest peak meets peakHeight without clipping
    // into a plateau.
    for (float& r : m.ridge) {
        const float p = low + (1.0f - low) * (r - lo) / std::max(1e-4f, hi - lo);
        r = m.baseRow - m.peakHeight * p;
    }
    switch (s.season) {
    case Season::Summer:
        m.snowline = rng.chance(0.3f) ? 1.5f : rng.uniform(0.6f, 0.92f);
        break;
    case Season::Autumn:
        m.snowline = rng.chance(0.25f) ? 1.5f : rng.uniform(0.45f, 0.8f);
        break;
    case Season::Winter:
        m.snowline = rng.uniform(0.05f, 0.45f);
        break;
    }
    m.cliffs = nearest && rng.chance(0.55f);
    m.haze = 0.12f + 0.55f * far * rng.uniform(0.7f, 1.0f);
    if (s.time == TimeOfDay::Overcast)
        m.haze = std::min(0.9f, m.haze * 1.4f);
    m.bodyColor =
        jitter(rng, mix(Rgb{0.44f, 0.40f, 0.36f}, Rgb{0.36f, 0.35f, 0.38f}, rng.uniform()), 0.1f);
    const Rgb veg = s.season == Season::Summer   ? Rgb{0.17f, 0.27f, 0.10f}
                    : s.season == Season::Autumn ? Rgb{0.36f, 0.27f, 0.12f}
                                                 : Rgb{0.28f, 0.26f, 0.23f};
    m.vegColor = jitter(rng, veg, 0.12f);
    finishLayer(m);
    return m;
}

GroundKind pickGround(Rng& rng, Season season)
{
    const float r = rng.uniform();
    if (season == Season::Winter && r < 0.35f)
        return GroundKind::Snowfield;
    if (r < 0.45f)
        return GroundKind::Meadow;
    if (r < 0.65f)
        return GroundKind::Woodland;
    if (r < 0.80f)
        return GroundKind::Field;
    return GroundKind::Rocky;
}

// Tree crowns standing on the ridge wherever the forest reaches it.
void addRidgeCrowns(Rng& rng, Layer& g, const Scene& s, const std::vector<uint8_t>& forested)
{
    g.crown.assign(g.ridge.size(), 0.0f);
    float x = -rng.uniform(0.0f, 4.0f);
    while (x < static_cast<float>(s.width) + 4.0f) {
        const int xi = std::clamp(static_cast<int>(x), 0, s.width - 1);
        const float dist = std::max(1.0f, g.ridge[static_cast<size_t>(xi)] - g.planeRow);
        const float height = std::max(1.0f, g.treeSize * dist * rng.uniform(0.6f, 1.25f));
        const float halfW = std::max(0.8f, height * (s.conifers ? 0.28f : 0.45f));
        // A whole tree or none: cutting crowns at the forest's edge would leave straight walls.
        const bool standing = forested[static_cast<size_t>(xi)] != 0;
        for (int c = static_cast<int>(x - halfW);
             standing && c <= static_cast<int>(x + halfW + 1.0f); ++c) {
            if (c < 0 || c >= s.width)
                continue;
            const float t = std::fabs((static_cast<float>(c) - x) / halfW);
            if (t >= 1.0f)
                continue;
            const float shape = s.conifers ? (1.0f - t) : std::sqrt(1.0f - t * t);
            float& cr = g.crown[static_cast<size_t>(c)];
            cr = std::max(cr, height * shape);
        }
        x += halfW * rng.uniform(0.7f, 1.5f);
    }
}

Layer makeGround(Rng& rng, Scene& s, float baseRow, float amplitude, GroundKind kind, float haze)
{
    Layer g;
    g.kind = LayerKind::Ground;
    g.ground = kind;
    g.seed = static_cast<uint32_t>(rng.next());
    g.haze = haze;
    const float h = static_cast<float>(s.height);
    const float freq = rng.uniform(0.8f, 2.2f);
    const float tilt = rng.uniform(-0.5f, 0.5f) * amplitude;
    const float offset = rng.uniform(-50.0f, 50.0f);
    const int oct = octavesFor(s.height, freq);
    g.ridge.resize(static_cast<size_t>(s.width));
    float minRow = 1e9f;
    for (int x = 0; x < s.width; ++x) {
        const float u = (static_cast<float>(x) - 0.5f * static_cast<float>(s.width)) / h;
        const float n = fbm1(u * freq + offset, g.seed, oct, 0.38f);
        const float row = baseRow - amplitude * (0.5f + 1.6f * n) - tilt * u;
        g.ridge[static_cast<size_t>(x)] = row;
        minRow = std::min(minRow, row);
    }
    // Flat ground vanishes at the horizon; hills that rise above it need a higher plane.
    g.planeRow = std::min(s.horizon, minRow - 0.04f * h);
    g.treeSize = rng.uniform(0.12f, 0.28f);

    g.forestBias = rng.uniform(-0.32f, -0.08f);
    g.dirtBias = rng.uniform(-0.5f, -0.25f);
    g.rockBias = rng.chance(0.3f) ? rng.uniform(-0.3f, -0.14f) : -1.0f;
    g.snowBias = s.season == Season::Winter ? rng.uniform(0.0f, 0.35f) : -1.0f;
    switch (kind) {
    case GroundKind::Meadow:
        g.path = rng.chance(0.4f);
        break;
    case GroundKind::Woodland:
        g.forestBias = rng.uniform(0.02f, 0.25f);
        break;
    case GroundKind::Field:
        g.dirtBias =
            s.season == Season::Summer ? rng.uniform(-0.1f, 0.15f) : rng.uniform(0.05f, 0.3f);
        g.furrows = true;
        g.forestBias -= 0.1f;
        break;
    case GroundKind::Rocky:
        g.rockBias = rng.uniform(-0.16f, -0.04f);
        break;
    case GroundKind::Beach:
        g.forestBias = rng.chance(0.3f) ? rng.uniform(-0.3f, -0.15f) : -1.0f;
        g.grassBias = s.dunes ? rng.uniform(-0.3f, -0.05f) : -1.0f;
        g.rockBias = rng.chance(0.35f) ? rng.uniform(-0.28f, -0.12f) : -1.0f;
        g.dirtBias = -1.0f;
        g.snowBias = -1.0f;
        break;
    case GroundKind::Snowfield:
        g.snowBias = rng.uniform(0.3f, 0.6f);
        break;
    }
    g.pathX = rng.uniform(-0.4f, 0.4f);

    std::vector<uint8_t> forested(static_cast<size_t>(s.width), 0);
    for (int x = 0; x < s.width; ++x) {
        const float row = g.ridge[static_cast<size_t>(x)];
        const float dz = std::max(1.0f, row + 1.0f - g.planeRow);
        const float gx = (static_cast<float>(x) - 0.5f * static_cast<float>(s.width)) / dz;
        forested[static_cast<size_t>(x)] =
            forestAt(g, gx, h / dz, std::max(1.0f / dz, h / (dz * dz)));
    }
    // Own stream: the number of trees depends on the frame width, the rest of the scene must not.
    Rng crownRng(rng.fork());
    addRidgeCrowns(crownRng, g, s, forested);
    finishLayer(g);
    return g;
}

} // namespace

Scene buildScene(uint64_t seed, int width, int height, const LandscapeOptions& options)
{
    Scene s;
    s.width = width;
    s.height = height;
    Rng rng(seed);
    const float h = static_cast<float>(height);

    const float tr = rng.uniform();
    s.time = tr < 0.45f   ? TimeOfDay::Day
             : tr < 0.68f ? TimeOfDay::GoldenHour
             : tr < 0.80f ? TimeOfDay::Dusk
                          : TimeOfDay::Overcast;
    const float sr = rng.uniform();
    s.season = sr < 0.5f ? Season::Summer : sr < 0.75f ? Season::Autumn : Season::Winter;
    if (options.timeOfDay)
        s.time = *options.timeOfDay;
    if (options.season)
        s.season = *options.season;

    const float wr = rng.uniform();
    s.lake = wr < 0.33f;
    s.sea = !s.lake && wr < 0.58f;
    s.horizon = h * (s.sea ? rng.uniform(0.36f, 0.6f) : rng.uniform(0.36f, 0.66f));
    s.conifers = s.season == Season::Winter ? rng.chance(0.7f) : rng.chance(0.35f);
    s.dunes = s.sea && rng.chance(0.4f);
    s.captionSeed = rng.next();
    s.grainSeed = static_cast<uint32_t>(rng.next());
    s.light = makeLighting(rng, s.time, s);
    s.clouds = makeClouds(rng, s.time);

    const float mr = rng.uniform();
    int ranges = mr < 0.2f ? 0 : mr < 0.5f ? 1 : mr < 0.8f ? 2 : 3;
    if (s.sea)
        ranges = std::min(ranges, 2);
    for (int i = 0; i < ranges; ++i) {
        const float far = ranges == 1
                              ? rng.uniform(0.2f, 1.0f)
                              : static_cast<float>(ranges - 1 - i) / static_cast<float>(ranges - 1);
        s.layers.push_back(makeRange(rng, s, far, i == ranges - 1));
    }

    const float below = h - s.horizon;
    if (s.lake || !s.sea) {
        // The far shore or the distant plain, standing on the horizon.
        const GroundKind kind = rng.chance(0.6f) ? GroundKind::Woodland : pickGround(rng, s.season);
        s.layers.push_back(makeGround(rng, s, s.horizon + 0.01f * h, 0.025f * h, kind, 0.45f));
    }
    float shore = s.horizon;
    if (s.lake || s.sea) {
        Layer w;
        w.kind = LayerKind::Water;
        w.seed = static_cast<uint32_t>(rng.next());
        w.sea = s.sea;
        w.waveAmp = s.sea ? rng.uniform(0.3f, 1.0f) : rng.uniform(0.0f, 0.6f);
        w.ridge.assign(static_cast<size_t>(width), s.horizon);
        w.planeRow = s.horizon;
        finishLayer(w);
        s.layers.push_back(std::move(w));
        shore = s.horizon + below * rng.uniform(0.12f, 0.5f);
        if (s.sea ? rng.chance(0.85f) : rng.chance(0.3f)) {
            s.layers.push_back(makeGround(rng, s, shore, 0.02f * h, GroundKind::Beach, 0.1f));
            shore += below * rng.uniform(0.1f, 0.3f);
        }
    }
    // Nearer hills: each one lower in the frame (closer) than the last.
    // Lakes always get a near shore; the open sea may run to the bottom of the frame.
    const int hills = s.sea ? (rng.chance(0.35f) ? 0 : rng.range(1, 2)) : rng.range(1, 2);
    for (int i = 0; i < hills && shore < h * 0.97f; ++i) {
        const float base = shore + (h - shore) * rng.uniform(0.05f, 0.55f);
        const float amp = rng.uniform(0.03f, 0.18f) * h;
        const GroundKind kind =
            s.sea && rng.chance(0.5f) ? GroundKind::Beach : pickGround(rng, s.season);
        s.layers.push_back(
            makeGround(rng, s, base, amp, kind, 0.12f - 0.05f * static_cast<float>(i)));
        shore = base;
    }
    return s;
}

} // namespace ldm::data
