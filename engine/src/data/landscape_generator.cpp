// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/landscape_generator.h"

#include "data/landscape_caption.h"
#include "data/landscape_render.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ldm::data {
namespace {

static_assert(sizeof(Rgb) == 3 * sizeof(float), "frame buffer is viewed as CV_32FC3");

// Highlights roll off instead of clipping flat, as film and camera curves do.
float toneMap(float v)
{
    constexpr float Knee = 0.82f;
    if (v <= Knee)
        return std::max(0.0f, v);
    return Knee + (1.0f - Knee) * (1.0f - std::exp(-(v - Knee) / (1.0f - Knee)));
}

void finishImage(const Scene& s, const LandscapeOptions& options, std::vector<Rgb>& frame,
                 cv::Mat& image)
{
    const int width = s.width;
    const int height = s.height;
    cv::Mat f(height, width, CV_32FC3, frame.data());
    // A touch of optical softness: pure per-pixel shading looks computer-sharp.
    const double sigma = 0.45 * std::max(1.0, height / 256.0);
    cv::GaussianBlur(f, f, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);

    image.create(height, width, CV_8UC3);
    const float grain = options.grain * std::sqrt(256.0f / static_cast<float>(height)) / 255.0f;
    const float cx = 0.5f * static_cast<float>(width);
    const float cy = 0.5f * static_cast<float>(height);
    const float r2norm = 1.0f / (cx * cx + cy * cy);
    const float exposure = s.light.exposure;
    for (int y = 0; y < height; ++y) {
        auto* out = image.ptr<uint8_t>(y);
        const Rgb* in = frame.data() + static_cast<size_t>(y) * static_cast<size_t>(width);
        for (int x = 0; x < width; ++x) {
            float k = exposure;
            if (options.vignette) {
                const float dx = static_cast<float>(x) - cx;
                const float dy = static_cast<float>(y) - cy;
                k *= 1.0f - 0.22f * (dx * dx + dy * dy) * r2norm;
            }
            const float n = grain > 0.0f ? (latticeValue(x, y, s.grainSeed) +
                                            latticeValue(x, y, s.grainSeed + 1u) - 1.0f) *
                                               grain * 2.45f
                                         : 0.0f;
            const float rgb[3] = {in[x].r, in[x].g, in[x].b};
            for (int c = 0; c < 3; ++c) {
                const float v = toneMap(rgb[c] * k) + n;
                out[3 * x + c] = static_cast<uint8_t>(std::clamp(v * 255.0f + 0.5f, 0.0f, 255.0f));
            }
        }
    }
}

} // namespace

LandscapeGenerator::LandscapeGenerator(LandscapeOptions options)
    : m_options(options)
{
}

LandscapeSample LandscapeGenerator::generate(uint64_t seed, int width, int height) const
{
    LandscapeSample out;
    if (width < MinSide || height < MinSide || width > MaxSide || height > MaxSide)
        return out;
    const Scene scene = buildScene(seed, width, height, m_options);
    std::vector<uint8_t> labels;
    std::vector<Rgb> frame;
    RenderStats stats;
    renderScene(scene, labels, frame, stats);

    out.labels = cv::Mat(height, width, CV_8U, labels.data()).clone();
    finishImage(scene, m_options, frame, out.image);
    out.timeOfDay = scene.time;
    out.season = scene.season;

    CaptionFacts facts;
    const auto total = static_cast<float>(std::max<int64_t>(1, stats.total));
    for (int c = 0; c < LandscapeClassCount; ++c) {
        out.classShare[static_cast<size_t>(c)] =
            static_cast<float>(stats.count[static_cast<size_t>(c)]) / total;
    }
    facts.share = out.classShare;
    facts.mountainSnow = static_cast<float>(stats.mountainSnow) / total;
    facts.mountainRock = static_cast<float>(stats.mountainRock) / total;
    facts.pathDirt = static_cast<float>(stats.pathDirt) / total;
    facts.sea = scene.sea;
    facts.conifers = scene.conifers;
    facts.dunes = scene.dunes;
    facts.time = scene.time;
    facts.season = scene.season;
    facts.seed = scene.captionSeed;
    out.caption = makeLandscapeCaption(facts);
    return out;
}

} // namespace ldm::data
