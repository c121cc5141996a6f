// SPDX-License-Identifier: GPL-3.0-or-later
// `train-ae`: trains the KL autoencoder (first stage) into a resumable run folder, or exports
// a run's weights for shipping.
#include "cli_options.h"
#include "commands.h"
#include "train_console.h"
#include "train/ae_trainer.h"
#include "train/run_folder.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> TrainAeOptions = trainerOptionTable(
    "resources/train/autoencoder_f4.yaml", "ae-f4",
    {{"init-from", "FILE",
      "start a new run from these autoencoder weights (e.g. the shipped model) instead of random "
      "ones; the optimiser state is not in the file, so the schedule starts over",
      ""},
     {"precision", "bf16|fp32",
      "override training.bf16, also for a resumed run (on this project's CPU fp32 trains "
      "faster: see the model card)",
      "training.bf16"},
     {"allow-no-photos", "", "train on landscape renders alone when the photos are missing", ""},
     {"export", "FILE", "write the run's weights as a shipping safetensors file and exit", ""},
     {"no-ema", "", "export the trained weights instead of their EMA", ""},
     {"fp32", "", "export float32 instead of float16", ""}});

void printProgress(const train::AeProgress& p, bool terminal)
{
    const double eta =
        p.stepsPerSecond > 0 ? double(p.totalSteps - p.step) / p.stepsPerSecond : 0.0;
    char line[320];
    std::snprintf(line, sizeof line,
                  "step %lld/%lld  loss %.4f (l1 %.4f edge %.4f kl %.3g)  lr %.2e  %.2f step/s  "
                  "ETA %s",
                  static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.loss,
                  p.l1, p.edge, p.kl, p.lr, p.stepsPerSecond, formatDuration(eta).c_str());
    std::string text = line;
    if (p.valPsnr >= 0) {
        char psnr[48];
        std::snprintf(psnr, sizeof psnr, "  val %.2f dB", p.valPsnr);
        text += psnr;
    }
    printTrainingLine(text, p.event, terminal);
}

int exportRun(const std::string& runDir, const std::string& target, bool ema, bool fp32)
{
    const std::string folder = train::findCheckpointFolder(runDir);
    if (folder.empty()) {
        std::fprintf(stderr, "train-ae: no checkpoint in %s\n", runDir.c_str());
        return ExitFailure;
    }
    const std::string source = folder + (ema ? "/ema.safetensors" : "/model.safetensors");
    if (auto ok =
            train::convertAutoencoderFile(source, target, fp32 ? torch::kFloat32 : torch::kFloat16);
        !ok) {
        std::fprintf(stderr, "train-ae: %s\n", ok.error().message.c_str());
        return ExitFailure;
    }
    std::printf("exported %s (%s, %s) to %s\n", source.c_str(), ema ? "EMA" : "trained weights",
                fp32 ? "float32" : "float16", target.c_str());
    return ExitOk;
}

} // namespace

int runTrainAe(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, TrainAeOptions);
    if (options.helpRequested()) {
        printHelp("train-ae", "--config FILE --run-dir DIR [options]",
                  "Trains the KL autoencoder (first stage). Ctrl-C saves a checkpoint; --resume "
                  "continues exactly where it stopped.",
                  TrainAeOptions);
        return ExitOk;
    }
    train::AeTrainerOptions trainerOptions;
    if (!readRunOptions(options, "train-ae", "ae-f4", trainerOptions))
        return ExitUsage;
    trainerOptions.initFrom = options.text("init-from");
    const int64_t profileSteps = options.integer("profile", 0, 1, 100000);
    if (auto exit = usageError(options, "train-ae", 0, "unexpected argument (see --help)"))
        return *exit;
    if (options.has("export"))
        return exportRun(trainerOptions.runDir, options.text("export"), !options.has("no-ema"),
                         options.has("fp32"));

    Result<std::unique_ptr<train::AeTrainer>> trainer = makeError(ErrorCode::Internal, "");
    if (options.has("resume")) {
        if (options.has("config"))
            std::fprintf(stderr, "train-ae: --config ignored: a resumed run keeps its own\n");
        trainer = train::AeTrainer::resume(trainerOptions);
    } else {
        auto config = train::AeTrainConfig::fromYamlFile(
            options.text("config", "resources/train/autoencoder_f4.yaml"));
        if (!config) {
            std::fprintf(stderr, "train-ae: %s\n", config.error().message.c_str());
            return ExitFailure;
        }
        trainer = train::AeTrainer::create(*config, trainerOptions);
    }
    if (!trainer) {
        std::fprintf(stderr, "train-ae: %s\n", trainer.error().message.c_str());
        return ExitFailure;
    }
    auto& t = *trainer.value();
    for (const auto& warning : t.warnings())
        std::fprintf(stderr, "train-ae: warning: %s\n", warning.c_str());
    const auto& loop = t.config().loop;
    std::fprintf(stderr,
                 "train-ae: %lld parameters (%.1f MB fp32), batch %lld of %lld px, %s, %d "
                 "threads, step %lld of %lld, run folder %s\n",
                 static_cast<long long>(t.parameterCount()), double(t.parameterCount()) * 4e-6,
                 static_cast<long long>(loop.batchSize),
                 static_cast<long long>(t.config().data.cropSize),
                 loop.bf16 ? "bf16 autocast" : "fp32", torch::get_num_threads(),
                 static_cast<long long>(t.completedSteps()), static_cast<long long>(t.totalSteps()),
                 trainerOptions.runDir.c_str());
    if (profileSteps > 0) {
        auto profile = t.profile(profileSteps);
        if (!profile) {
            std::fprintf(stderr, "train-ae: %s\n", profile.error().message.c_str());
            return ExitFailure;
        }
        std::printf("%s", profile->report().c_str());
        return ExitOk;
    }
    installStopHandler();
    const bool terminal = isatty(fileno(stderr));
    double lastPsnr = -1;
    auto ok = t.run(trainingStopFlag(), [&](const train::AeProgress& p) {
        printProgress(p, terminal);
        lastPsnr = p.valPsnr >= 0 ? p.valPsnr : lastPsnr;
        writeTrainingStatus(trainerOptions.runDir, {"autoencoder", p.step, p.totalSteps, p.loss,
                                                    p.stepsPerSecond, lastPsnr,
                                                    "held-out PSNR dB"});
    });
    if (!ok) {
        std::fprintf(stderr, "\ntrain-ae: %s\n", ok.error().message.c_str());
        return ExitFailure;
    }
    std::fprintf(stderr, "%strain-ae: %s at step %lld; checkpoint in %s/checkpoint\n",
                 terminal ? "\n" : "", trainingStopFlag().load() ? "stopped" : "finished",
                 static_cast<long long>(t.completedSteps()), trainerOptions.runDir.c_str());
    return ExitOk;
}

} // namespace ldm::cli
