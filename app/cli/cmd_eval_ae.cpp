// SPDX-License-Identifier: GPL-3.0-or-later
// `eval-ae`: held-out PSNR/SSIM of a first stage next to the bicubic 4× down-up baselines.
#include "checkpoint/latent_diffusion.h"
#include "cli_options.h"
#include "commands.h"
#include "train/ae_eval.h"

#include <cstdio>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> EvalAeOptions = {
    {"model", "FILE", "autoencoder or whole LDM checkpoint (safetensors)", ""},
    {"photos", "DIR", "photo folder; the val photos of its split.txt are used", "data/photos"},
    {"count", "N", "number of fixed crops", "256"},
    {"crop", "N", "crop side in pixels", "64"},
    {"short-side", "N", "held-out photos are scaled to this short side first", "512"},
    {"threads", "N", "intra-op CPU threads", "2"},
};

void printRow(const char* name, const train::QualityStats& stats)
{
    std::printf("  %-28s %8.2f %8.2f %8.4f\n", name, stats.psnrRgb, stats.psnrY, stats.ssimY);
}

} // namespace

int runEvalAe(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, EvalAeOptions);
    if (options.helpRequested()) {
        printHelp("eval-ae", "--model FILE [--photos DIR] [options]",
                  "Reconstructs fixed crops of the held-out photos and prints PSNR (RGB and Y) "
                  "and SSIM (Y) next to bicubic 4x down-up.",
                  EvalAeOptions);
        return ExitOk;
    }
    train::AeEvalOptions evalOptions;
    evalOptions.photos = options.text("photos", "data/photos");
    evalOptions.count = options.integer("count", 256, 1, 100000);
    evalOptions.cropSize = options.integer("crop", 64, 8, 4096);
    evalOptions.shortSide = options.integer("short-side", 512, 16, 16384);
    const int threads = int(options.integer("threads", 2, 1, 256));
    if (!options.error().empty() || !options.has("model") || !options.positional().empty()) {
        std::fprintf(stderr, "eval-ae: %s\n",
                     !options.error().empty() ? options.error().c_str()
                                              : "give --model FILE (see --help)");
        return ExitUsage;
    }
    torch::set_num_threads(threads);
    const std::string path = options.text("model");
    auto model = LatentDiffusion::load(path);
    if (!model) {
        std::fprintf(stderr, "eval-ae: %s\n", model.error().message.c_str());
        return ExitFailure;
    }
    if (!model->firstStage()) {
        std::fprintf(stderr, "eval-ae: %s holds no first stage\n", path.c_str());
        return ExitFailure;
    }
    auto report = train::evaluateAutoencoder(*model->firstStage(), evalOptions);
    if (!report) {
        std::fprintf(stderr, "eval-ae: %s\n", report.error().message.c_str());
        return ExitFailure;
    }
    for (const auto& warning : report->warnings)
        std::fprintf(stderr, "eval-ae: warning: %s\n", warning.c_str());
    std::printf("model:  %s (f = %lld, %lld latent channels)\n", path.c_str(),
                static_cast<long long>(model->firstStage()->downFactor()),
                static_cast<long long>(model->firstStage()->latentChannels()));
    std::printf("crops:  %zu fixed %lldx%lld crops of %zu held-out photos (short side %lld)\n",
                report->autoencoder.count, static_cast<long long>(evalOptions.cropSize),
                static_cast<long long>(evalOptions.cropSize), report->photoCount,
                static_cast<long long>(evalOptions.shortSide));
    std::printf("\n  %-28s %8s %8s %8s\n", "(mean per crop)", "PSNR RGB", "PSNR Y", "SSIM Y");
    printRow("autoencoder", report->autoencoder);
    printRow("bicubic 4x down/up", report->bicubic);
    printRow("area 4x down, bicubic up", report->areaBicubic);
    std::printf("\nlatent (posterior mean): mean %.4f, std %.4f -> scale_factor %.4f\n",
                report->latentMean, report->latentStd,
                report->latentStd > 0 ? 1.0 / report->latentStd : 0.0);
    std::printf("model time: %.2f s (%.1f ms per crop, encode + decode, fp32, %d threads)\n",
                report->seconds, 1000.0 * report->seconds / double(report->autoencoder.count),
                threads);
    return ExitOk;
}

} // namespace ldm::cli
