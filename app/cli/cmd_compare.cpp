// SPDX-License-Identifier: GPL-3.0-or-later
// `compare A.png B.png`: how far two images are apart (PSNR, SSIM, pixel differences). Used to
// check that a replayed recipe reproduces an image exactly and to measure what bf16 costs.
#include "cli_options.h"
#include "commands.h"
#include "io/image_files.h"
#include "train/image_metrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> CompareOptions = {
    {"expect-identical", "", "exit with 1 unless every pixel is equal", ""},
    {"json", "", "print JSON instead of text", ""},
    {"band-rows", "N", "rows measured at a time (bounds memory; results do not depend on it)",
     "about a megapixel per band"},
};

// Pixels per band by default: the metrics hold ~150 bytes per pixel of a band (double-precision
// copies and SSIM's blurred maps), so about 150 MB whatever the image size.
constexpr long long DefaultBandPixels = 1 << 20;
// Half the 11x11 SSIM window: a band's SSIM needs this many rows above and below it.
constexpr int SsimHalo = 5;

struct Metrics {
    double psnrRgb = 0;
    double psnrY = 0;
    double ssimY = 0;
};

// Bands combine through their mean squared errors, which the metrics report as PSNR.
double mseFromPsnr(double psnr)
{
    return psnr >= 99.0 ? 0.0 : 255.0 * 255.0 * std::pow(10.0, -psnr / 10.0);
}

double psnrFromMse(double mse)
{
    return mse <= 1e-10 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

// The train:: metrics over row bands, so memory follows the band, not the image. SSIM's valid
// windows are split by their centre row and each band gets its halo of rows, so every window
// sees the pixels it sees in the whole image: the result equals the whole-image one.
Metrics bandedMetrics(const cv::Mat& a, const cv::Mat& b, int bandRows)
{
    const int h = a.rows;
    if (h <= bandRows + 2 * SsimHalo)
        return {train::psnrRgb(a, b), train::psnrY(a, b), train::ssimY(a, b)};
    double mseRgb = 0;
    double mseY = 0;
    for (int r0 = 0; r0 < h; r0 += bandRows) {
        const cv::Range rows(r0, std::min(h, r0 + bandRows));
        const double share = double(rows.size()) / double(h);
        mseRgb += share * mseFromPsnr(train::psnrRgb(a.rowRange(rows), b.rowRange(rows)));
        mseY += share * mseFromPsnr(train::psnrY(a.rowRange(rows), b.rowRange(rows)));
    }
    double ssimSum = 0;
    for (int r0 = SsimHalo; r0 < h - SsimHalo; r0 += bandRows) {
        const int r1 = std::min(h - SsimHalo, r0 + bandRows);
        const cv::Range rows(r0 - SsimHalo, r1 + SsimHalo);
        ssimSum += train::ssimY(a.rowRange(rows), b.rowRange(rows)) * double(r1 - r0);
    }
    return {psnrFromMse(mseRgb), psnrFromMse(mseY), ssimSum / double(h - 2 * SsimHalo)};
}

struct PixelDifference {
    int maxAbs = 0;
    double meanAbs = 0;
    size_t differingPixels = 0;
};

PixelDifference pixelDifference(const RgbImage& a, const RgbImage& b)
{
    PixelDifference d;
    uint64_t sum = 0;
    for (size_t p = 0; p < a.pixels.size(); p += 3) {
        bool differs = false;
        for (size_t c = p; c < p + 3; ++c) {
            const int diff = std::abs(int(a.pixels[c]) - int(b.pixels[c]));
            d.maxAbs = std::max(d.maxAbs, diff);
            sum += uint64_t(diff);
            differs = differs || diff != 0;
        }
        d.differingPixels += differs ? 1 : 0;
    }
    d.meanAbs = a.pixels.empty() ? 0.0 : double(sum) / double(a.pixels.size());
    return d;
}

cv::Mat asMat(const RgbImage& image)
{
    // Wraps without copying: the metrics only read.
    return cv::Mat(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.pixels.data()));
}

} // namespace

int runCompare(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, CompareOptions);
    if (auto exit = helpOrUsageError(
            options,
            {"compare", "[options] A.png B.png",
             "Prints PSNR (RGB and Y, dB), SSIM (Y) and pixel differences between two "
             "images of the same size; 99 dB means identical."},
            CompareOptions, 2, "give exactly two image files"))
        return *exit;
    // Sizes from the headers first: a mismatch or an oversized file fails before decoding.
    ImageSize sizes[2];
    for (int i = 0; i < 2; ++i) {
        auto size = readImageSize(options.positional()[size_t(i)]);
        if (!size) {
            std::fprintf(stderr, "compare: %s\n", size.error().message.c_str());
            return ExitFailure;
        }
        sizes[i] = size.value();
    }
    if (sizes[0].width != sizes[1].width || sizes[0].height != sizes[1].height) {
        std::fprintf(stderr, "compare: the images differ in size (%dx%d and %dx%d)\n",
                     sizes[0].width, sizes[0].height, sizes[1].width, sizes[1].height);
        return ExitFailure;
    }
    const int bandRows = int(options.integer(
        "band-rows", std::max(16ll, DefaultBandPixels / sizes[0].width), 1, 1 << 20));
    if (!options.error().empty()) {
        std::fprintf(stderr, "compare: %s\n", options.error().c_str());
        return ExitUsage;
    }
    RgbImage images[2];
    for (int i = 0; i < 2; ++i) {
        auto image = readImage(options.positional()[size_t(i)]);
        if (!image) {
            std::fprintf(stderr, "compare: %s\n", image.error().message.c_str());
            return ExitFailure;
        }
        images[i] = std::move(image.value());
    }
    if (images[0].width != images[1].width || images[0].height != images[1].height) {
        std::fprintf(stderr, "compare: the images differ in size (%dx%d and %dx%d)\n",
                     images[0].width, images[0].height, images[1].width, images[1].height);
        return ExitFailure;
    }
    const cv::Mat a = asMat(images[0]);
    const cv::Mat b = asMat(images[1]);
    const PixelDifference d = pixelDifference(images[0], images[1]);
    const Metrics m = bandedMetrics(a, b, bandRows);
    nlohmann::json r = {
        {"width", images[0].width},
        {"height", images[0].height},
        {"psnr_rgb", m.psnrRgb},
        {"psnr_y", m.psnrY},
        {"ssim_y", m.ssimY},
        {"max_abs_diff", d.maxAbs},
        {"mean_abs_diff", d.meanAbs},
        {"differing_pixels", d.differingPixels},
        {"identical", d.differingPixels == 0},
    };
    if (options.has("json")) {
        std::printf("%s\n", r.dump(2).c_str());
    } else {
        std::printf("size:             %dx%d\n", images[0].width, images[0].height);
        std::printf("PSNR RGB / Y:     %.2f / %.2f dB\n", r["psnr_rgb"].get<double>(),
                    r["psnr_y"].get<double>());
        std::printf("SSIM Y:           %.4f\n", r["ssim_y"].get<double>());
        std::printf("pixel difference: max %d, mean %.3f (of 255), %zu of %d pixels differ\n",
                    d.maxAbs, d.meanAbs, d.differingPixels, images[0].width * images[0].height);
    }
    if (options.has("expect-identical") && d.differingPixels != 0) {
        std::fprintf(stderr, "compare: the images differ\n");
        return ExitFailure;
    }
    return ExitOk;
}

} // namespace ldm::cli
