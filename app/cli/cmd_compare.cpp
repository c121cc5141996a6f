// SPDX-License-Identifier: GPL-3.0-or-later
// `compare A.png B.png`: how far two images are apart (PSNR, SSIM, pixel differences). Used to
// check that a replayed recipe reproduces an image exactly and to measure what bf16 costs.
#include "cli_options.h"
#include "commands.h"
#include "pipeline/image_files.h"
#include "train/image_metrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> CompareOptions = {
    {"expect-identical", "", "exit with 1 unless every pixel is equal", ""},
    {"json", "", "print JSON instead of text", ""},
};

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
    if (options.helpRequested()) {
        printHelp("compare", "[options] A.png B.png",
                  "Prints PSNR (RGB and Y, dB), SSIM (Y) and pixel differences between two "
                  "images of the same size; 99 dB means identical.",
                  CompareOptions);
        return ExitOk;
    }
    if (!options.error().empty() || options.positional().size() != 2) {
        std::fprintf(stderr, "compare: %s\n",
                     options.error().empty() ? "give exactly two image files"
                                             : options.error().c_str());
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
    nlohmann::json r = {
        {"width", images[0].width},
        {"height", images[0].height},
        {"psnr_rgb", train::psnrRgb(a, b)},
        {"psnr_y", train::psnrY(a, b)},
        {"ssim_y", train::ssimY(a, b)},
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
