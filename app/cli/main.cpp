// SPDX-License-Identifier: GPL-3.0-or-later
// latent-canvas-cli: the headless face of the engine (no Qt), for scripts and GPU servers.
#include "commands.h"
#include <c10/util/Exception.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace {

struct Command {
    const char* name;
    const char* summary;
    std::function<int(const std::vector<std::string>&)> run;
};

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"txt2img", "generate an image from a text prompt", ldm::cli::runTxt2Img},
        {"paint", "turn a semantic label map into an image", ldm::cli::runPaint},
        {"upscale", "upscale an image 4x (tiled, seam-free)", ldm::cli::runUpscale},
        {"img2img", "redraw an image from a prompt (--strength 0..1)", ldm::cli::runImg2Img},
        {"inpaint", "fill the white area of a mask, keep the rest", ldm::cli::runInpaint},
        {"outpaint", "extend an image past its borders (--left/--right/--top/--bottom)",
         ldm::cli::runOutpaint},
        {"compare", "PSNR/SSIM and pixel differences between two images", ldm::cli::runCompare},
        {"inspect", "describe a checkpoint and check that it loads", ldm::cli::runInspect},
        {"convert", "rewrite a PyTorch .ckpt checkpoint as safetensors", ldm::cli::runConvert},
        {"bench", "measure UNet and decoder speed against the machine's peak", ldm::cli::runBench},
        {"train-ae", "train the KL autoencoder (first stage)", ldm::cli::runTrainAe},
        {"train-ldm", "train a latent diffusion UNet on a frozen autoencoder", ldm::cli::runTrainLdm},
        {"train-status", "step, loss, evaluation and ETA of every training run", ldm::cli::runTrainStatus},
        {"eval-ldm", "map/caption adherence of a landscape model on unseen scenes", ldm::cli::runEvalLdm},
        {"eval-ae", "held-out PSNR/SSIM of an autoencoder vs bicubic", ldm::cli::runEvalAe},
    };
    return list;
}

void printUsage()
{
    std::printf("usage: latent-canvas-cli <command> [options]\n\ncommands:\n");
    for (const auto& command : commands())
        std::printf("  %-12s %s\n", command.name, command.summary);
    std::printf("\n'latent-canvas-cli <command> --help' describes a command.\n");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        printUsage();
        return argc < 2 ? ldm::cli::ExitUsage : ldm::cli::ExitOk;
    }
    const std::string name = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& command : commands()) {
        if (name != command.name)
            continue;
        try {
            return command.run(args);
        } catch (const c10::Error& error) {
            // LibTorch's what() carries a C++ backtrace; people get the sentence only.
            std::fprintf(stderr, "%s: internal error: %s\n", name.c_str(),
                         error.what_without_backtrace());
            return ldm::cli::ExitFailure;
        } catch (const std::exception& error) {
            // Engine calls return errors; this only catches what escaped a bug.
            std::fprintf(stderr, "%s: internal error: %s\n", name.c_str(), error.what());
            return ldm::cli::ExitFailure;
        }
    }
    std::fprintf(stderr, "latent-canvas-cli: unknown command '%s'\n\n", name.c_str());
    printUsage();
    return ldm::cli::ExitUsage;
}
