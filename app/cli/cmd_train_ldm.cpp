// SPDX-License-Identifier: GPL-3.0-or-later
// `train-ldm`: trains a latent diffusion model (text / map / low-res conditioned) on the
// latents of a frozen autoencoder into a resumable run folder, exports the single-file
// checkpoint, or times the UNet.
#include "cli_options.h"
#include "commands.h"
#include "train_console.h"
#include "train/ldm_trainer.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> TrainLdmOptions = trainerOptionTable(
    "resources/train/landscape_ldm.yaml", "landscape-ldm",
    {{"precision", "bf16|fp32", "override training.bf16, also for a resumed run", "training.bf16"},
     {"allow-no-photos", "", "SR runs: train on landscape renders when photos are missing", ""},
     {"export", "FILE", "write the run as one CompVis-layout safetensors file and exit", ""},
     {"fp16", "", "export float16 weights (shipping) instead of float32", ""},
     {"ema-only", "", "export only the EMA UNet, as model.diffusion_model.* (shipping)", ""},
     {"samples", "", "write a sample grid of the run's current EMA weights and exit", ""},
     {"bench", "", "print parameter counts and UNet forward times (32² and 64² latents), exit",
      ""}});

void printProgress(const train::LdmProgress& p, bool terminal)
{
    const double eta =
        p.stepsPerSecond > 0 ? double(p.totalSteps - p.step) / p.stepsPerSecond : 0.0;
    char line[256];
    std::snprintf(line, sizeof line, "step %lld/%lld  loss %.4f  lr %.2e  %.3f step/s  ETA %s",
                  static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.loss,
                  p.lr, p.stepsPerSecond, formatDuration(eta).c_str());
    std::string text = line;
    printTrainingLine(text, p.event, terminal);
}

int fail(const Error& error)
{
    std::fprintf(stderr, "train-ldm: %s\n", error.message.c_str());
    return ExitFailure;
}

int bench(train::LdmTrainer& t)
{
    std::printf("UNet %lld parameters, text encoder %lld, scale_factor %.5f\n",
                static_cast<long long>(t.unetParameters()),
                static_cast<long long>(t.textParameters()), t.scaleFactor());
    for (int64_t side : {int64_t{32}, int64_t{64}}) {
        const auto timing = t.timeUNet(side, 2, 3);
        std::printf("UNet forward, latent %lldx%lld, batch 2 (one CFG step): fp32 %.3f s, "
                    "bf16 autocast %.3f s (%d threads)\n",
                    static_cast<long long>(side), static_cast<long long>(side), timing.fp32,
                    timing.bf16, torch::get_num_threads());
    }
    return ExitOk;
}

} // namespace

int runTrainLdm(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, TrainLdmOptions);
    if (options.helpRequested()) {
        printHelp("train-ldm", "--config FILE --run-dir DIR [options]",
                  "Trains a latent diffusion model on a frozen autoencoder's latents. Ctrl-C "
                  "saves a checkpoint; --resume continues exactly where it stopped; --export "
                  "writes the shipping checkpoint.",
                  TrainLdmOptions);
        return ExitOk;
    }
    train::LdmTrainerOptions trainerOptions;
    if (!readRunOptions(options, "train-ldm", "landscape-ldm", trainerOptions))
        return ExitUsage;
    const bool oneShot = options.has("export") || options.has("samples");
    trainerOptions.requirePhotos = trainerOptions.requirePhotos && !oneShot;
    const int64_t profileSteps = options.integer("profile", 0, 1, 100000);
    if (auto exit = usageError(options, "train-ldm", 0, "unexpected argument (see --help)"))
        return *exit;
    Result<std::unique_ptr<train::LdmTrainer>> trainer = makeError(ErrorCode::Internal, "");
    if (options.has("resume") || oneShot) {
        trainer = train::LdmTrainer::resume(trainerOptions);
    } else {
        auto config = train::LdmTrainConfig::fromYamlFile(
            options.text("config", "resources/train/landscape_ldm.yaml"));
        if (!config)
            return fail(config.error());
        std::fprintf(stderr, "train-ldm: preparing %s (first stage, tokenizer, scale factor)\n",
                     trainerOptions.runDir.c_str());
        trainer = train::LdmTrainer::create(*config, trainerOptions);
    }
    if (!trainer)
        return fail(trainer.error());
    auto& t = *trainer.value();
    if (options.has("export")) {
        const std::string target = options.text("export");
        const bool fp16 = options.has("fp16");
        const bool emaOnly = options.has("ema-only");
        if (auto ok = t.exportCheckpoint(target, fp16 ? torch::kFloat16 : torch::kFloat32, emaOnly);
            !ok)
            return fail(ok.error());
        std::printf("exported %s at step %lld (%s, EMA UNet%s%s) to %s\n",
                    trainerOptions.runDir.c_str(), static_cast<long long>(t.completedSteps()),
                    fp16 ? "float16" : "float32", emaOnly ? " only" : "",
                    t.textParameters() > 0 ? " + EMA text encoder" : "", target.c_str());
        return ExitOk;
    }
    if (options.has("samples")) {
        if (auto ok = t.writeSamples(); !ok)
            return fail(ok.error());
        std::printf("wrote %s/samples.png\n", trainerOptions.runDir.c_str());
        return ExitOk;
    }
    for (const auto& warning : t.warnings())
        std::fprintf(stderr, "train-ldm: note: %s\n", warning.c_str());
    if (options.has("bench"))
        return bench(t);
    const auto& loop = t.config().loop;
    std::fprintf(
        stderr,
        "train-ldm: UNet %lld + text %lld parameters, scale_factor %.5f, batch %lld of "
        "%lld px, %s, %d threads, step %lld of %lld, run folder %s\n",
        static_cast<long long>(t.unetParameters()), static_cast<long long>(t.textParameters()),
        t.scaleFactor(), static_cast<long long>(loop.batchSize),
        static_cast<long long>(t.config().data.imageSize), loop.bf16 ? "bf16 autocast" : "fp32",
        torch::get_num_threads(), static_cast<long long>(t.completedSteps()),
        static_cast<long long>(t.totalSteps()), trainerOptions.runDir.c_str());
    if (profileSteps > 0) {
        auto profile = t.profile(profileSteps);
        if (!profile)
            return fail(profile.error());
        std::printf("%s", profile->report().c_str());
        return ExitOk;
    }
    installStopHandler();
    const bool terminal = isatty(fileno(stderr));
    auto ok = t.run(trainingStopFlag(), [&](const train::LdmProgress& p) {
        printProgress(p, terminal);
        writeTrainingStatus(trainerOptions.runDir,
                            {"ldm", p.step, p.totalSteps, p.loss, p.stepsPerSecond, -1, ""});
    });
    if (!ok) {
        std::fprintf(stderr, "\n");
        return fail(ok.error());
    }
    std::fprintf(stderr, "%strain-ldm: %s at step %lld; checkpoint in %s/checkpoint\n",
                 terminal ? "\n" : "", trainingStopFlag().load() ? "stopped" : "finished",
                 static_cast<long long>(t.completedSteps()), trainerOptions.runDir.c_str());
    return ExitOk;
}

} // namespace ldm::cli
