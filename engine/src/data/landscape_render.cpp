// SPDX-License-Identifier: GPL-3.0-or-later
// Sky, clouds and water, and the loop that decides which layer owns each pixel.
#include "data/landscape_render.h"

#include <algorithm>
#include <cmath>

namespace ldm::data {

Shade shadeSky(const Scene& s, int x, int y)
{
    const float fx = static_cast<float>(x) + 0.5f;
    const float fy = static_cast<float>(y) + 0.5f;
    const float h = static_cast<float>(s.height);
    const Lighting& l = s.light;
    const float e = std::max(0.0f, (s.horizon - fy) / h);

    Rgb col = mix(l.horizon, l.zenith, 1.0f - std::exp(-e * 4.5f));
    const float dx = (fx - l.sunX) / h;
    const float dy = (fy - l.sunY) / h;
    const float d = std::sqrt(dx * dx + dy * dy);
    const float glow = 0.45f * std::exp(-d * 3.5f) + 0.7f * std::exp(-d * 16.0f);
    col = col + l.glow * glow;

    Shade out;
    out.cls = LandscapeClass::Sky;
    const CloudLayer& c = s.clouds;
    float alpha = 0.0f;
    Rgb cloudCol;
    if (c.cover > 0.001f) {
        // Clouds live on a plane above the viewer: they shrink and flatten towards the horizon.
        const float depth = e + 0.05f;
        const float cx = (fx - 0.5f * static_cast<float>(s.width)) / h / depth;
        const float cz = 1.0f / depth;
        const float f = 0.9f / c.scale;
        const float fp = f * std::max(1.0f / (h * depth), c.stretch / (h * depth * depth));
        const float thr = (0.5f - c.cover) * 0.32f;
        float n = 0.0f;
        if (c.billow > 0.5f) {
            n = fbm(cx * f, cz * f * c.stretch, c.seed, 6, 0.52f, fp);
            n = mixf(n, 0.35f - std::fabs(n) * 1.6f, 0.35f * (c.billow - 0.5f));
        } else {
            n = fbmUnless(cx * f, cz * f * c.stretch, c.seed, 6, 0.52f, fp, thr - c.softness);
        }
        alpha = smoothStep(thr - c.softness, thr + c.softness, n) * smoothStep(0.0f, 0.07f, e);
        if (alpha > 0.002f) {
            const float toSun = 0.12f * clampf((l.sunX - fx) / (0.25f * h), -1.0f, 1.0f);
            const float ahead =
                fbm((cx + toSun) * f, (cz + 0.15f) * f * c.stretch, c.seed, 3, 0.52f, fp);
            const float thick = clampf((n - thr) * 5.0f, 0.0f, 1.0f);
            const float light = clampf(0.62f + (n - ahead) * 5.0f - 0.35f * thick, 0.0f, 1.0f);
            cloudCol = mix(l.cloudDark, l.cloudLit, light) + l.glow * (glow * 1.3f);
            cloudCol = mix(cloudCol, l.horizon, 0.45f * (1.0f - smoothStep(0.0f, 0.3f, e)));
            col = mix(col, cloudCol, alpha);
        }
    }
    if (l.sunDisk > 0.0f) {
        const float disk = smoothStep(0.032f, 0.024f, d) * (1.0f - alpha);
        col = mix(col, Rgb{1.5f, 1.3f, 1.0f}, disk * l.sunDisk);
    }
    if (alpha >= 0.5f)
        out.cls = LandscapeClass::Cloud;
    out.col = col;
    return out;
}

Shade shadeWater(const Scene& s, const Layer& w, int x, int y, float shoreRow,
                 const std::vector<Rgb>& frame)
{
    const float fx = static_cast<float>(x) + 0.5f;
    const float fy = static_cast<float>(y) + 0.5f;
    const float h = static_cast<float>(s.height);
    const int width = s.width;
    const Lighting& l = s.light;
    const float dz = std::max(0.5f, fy - s.horizon);
    const float gx = (fx - 0.5f * static_cast<float>(width)) / dz;
    const float gz = h / dz;
    const float fp = std::max(1.0f / dz, h / (dz * dz));

    // Ripples: elongated across the view, foreshortened by the ground-plane projection.
    const float fxr = 2.5f;
    const float fzr = 10.0f;
    const float wave = fbm(gx * fxr, gz * fzr, w.seed, 5, 0.55f, fp * fzr);
    const float wave2 = fbm(gx * fxr, (gz + 0.04f) * fzr, w.seed, 5, 0.55f, fp * fzr);
    const float tiltZ = (wave2 - wave) * 6.0f * w.waveAmp;
    const float swell = fbm(gx * 0.6f, gz * 2.0f, w.seed + 9u, 3, 0.5f, fp * 2.0f);

    // Mirror image of everything above the horizon, broken up by the ripples.
    const float mirror = 2.0f * s.horizon - fy;
    float ry = mirror - tiltZ * (2.0f + 0.5f * dz) - w.waveAmp * swell * 0.08f * dz;
    ry = std::clamp(ry, 0.0f, std::max(0.0f, s.horizon - 1.0f));
    const float rx = std::clamp(fx + tiltZ * 1.5f, 0.0f, static_cast<float>(width - 1));
    const int iy = std::min(static_cast<int>(ry), s.height - 1);
    const int iy2 = std::min(iy + 1, std::max(0, static_cast<int>(s.horizon) - 1));
    const float ty = ry - static_cast<float>(iy);
    const int ix = static_cast<int>(rx);
    const size_t i1 =
        static_cast<size_t>(iy) * static_cast<size_t>(width) + static_cast<size_t>(ix);
    const size_t i2 =
        static_cast<size_t>(iy2) * static_cast<size_t>(width) + static_cast<size_t>(ix);
    const Rgb refl = mix(frame[i1], frame[i2], ty);

    const float near = clampf((fy - s.horizon) / std::max(1.0f, h - s.horizon), 0.0f, 1.0f);
    const float fresnel = 0.3f + 0.62f * std::pow(1.0f - near, 2.5f);
    const Rgb body = l.water * (l.sun * 0.35f + l.ambient) * 1.6f;
    Rgb col = mix(body, refl * 0.88f, fresnel);
    col = col * (1.0f + 0.25f * tiltZ);

    // Glitter on the path of the sun.
    const float sunVisible = l.sunY < s.horizon ? 1.0f : 0.0f;
    if (sunVisible > 0.0f && s.time != TimeOfDay::Overcast) {
        const float spread = 0.04f * h + 0.35f * (fy - s.horizon);
        const float col0 = (fx - l.sunX) / spread;
        const float path = std::exp(-col0 * col0);
        const float sparkle = smoothStep(0.05f, 0.25f, wave + 0.1f * w.waveAmp);
        const float strength = s.time == TimeOfDay::GoldenHour ? 1.2f : 0.45f;
        col = col + l.sun * (path * sparkle * strength * (0.3f + w.waveAmp));
    }
    // Foam where waves reach the shore.
    if (w.sea && shoreRow < 1e8f) {
        const float gap = shoreRow - fy;
        const float band = 0.02f * dz + 0.6f;
        const float foamNoise = fbm(gx * 8.0f, gz * 3.0f, w.seed + 3u, 3, 0.5f, fp * 8.0f);
        const float foam =
            smoothStep(band * (1.0f + 2.0f * w.waveAmp), 0.0f, gap + 3.0f * foamNoise * band);
        col = mix(col, Rgb{0.92f, 0.94f, 0.96f} * (l.sun * 0.5f + l.ambient), foam * 0.85f);
    }
    return Shade{LandscapeClass::Water, col};
}

void renderScene(const Scene& s, std::vector<uint8_t>& labels, std::vector<Rgb>& frame,
                 RenderStats& stats)
{
    const int width = s.width;
    const int height = s.height;
    const size_t n = static_cast<size_t>(width) * static_cast<size_t>(height);
    labels.assign(n, 0);
    frame.assign(n, Rgb{});
    stats = RenderStats{};
    const int layers = static_cast<int>(s.layers.size());
    for (int y = 0; y < height; ++y) {
        const float fy = static_cast<float>(y) + 0.5f;
        for (int x = 0; x < width; ++x) {
            const size_t xi = static_cast<size_t>(x);
            int owner = -1;
            for (int i = layers - 1; i >= 0; --i) {
                if (fy >= s.layers[static_cast<size_t>(i)].top[xi]) {
                    owner = i;
                    break;
                }
            }
            Shade px;
            bool isPath = false;
            if (owner < 0) {
                px = shadeSky(s, x, y);
            } else {
                const Layer& layer = s.layers[static_cast<size_t>(owner)];
                switch (layer.kind) {
                case LayerKind::Mountain:
                    px = shadeMountain(s, layer, x, y);
                    break;
                case LayerKind::Ground:
                    px = shadeGround(s, layer, x, y, isPath);
                    break;
                case LayerKind::Water: {
                    float shore = 1e9f;
                    for (int j = owner + 1; j < layers; ++j)
                        shore = std::min(shore, s.layers[static_cast<size_t>(j)].top[xi]);
                    px = shadeWater(s, layer, x, y, shore, frame);
                    break;
                }
                }
                if (layer.kind == LayerKind::Mountain && px.cls == LandscapeClass::Snow)
                    ++stats.mountainSnow;
                if (layer.kind == LayerKind::Mountain && px.cls == LandscapeClass::Rock)
                    ++stats.mountainRock;
            }
            if (isPath)
                ++stats.pathDirt;
            const size_t idx = static_cast<size_t>(y) * static_cast<size_t>(width) + xi;
            labels[idx] = static_cast<uint8_t>(px.cls);
            frame[idx] = px.col;
            ++stats.count[static_cast<size_t>(px.cls)];
        }
    }
    stats.total = static_cast<int64_t>(n);
}

} // namespace ldm::data
