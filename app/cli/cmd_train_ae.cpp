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

const std::vector<OptionSpec> TrainAeOptions = {
    {"config", "FILE", "training config (YAML) for a new run",
     "resources/train/autoencoder_f4.yaml"},
    {"run-dir", "DIR",
     "run folder: checkpoints, samples, loss curve (outside the work tree, so a run survives a "
     "fresh checkout)",
     "$LDM_RUNS_DIR/ae-f4, ~/.cache/latent-canvas/runs/ae-f4"},
    {"resume", "", "continue the run in --run-dir from its last checkpoint", ""},
    {"init-from", "FILE",
     "start a new run from these autoencoder weights (e.g. the shipped model) instead of random "
     "ones; the optimiser state is not in the file, so the schedule starts over",
     ""},
    {"threads", "N|auto", "intra-op CPU threads; auto tries 1 and 2 now and then, keeps the faster",
     "training.threads"},
    {"steps", "N", "total steps (extends or shortens a resumed run)", "training.steps"},
    {"allow-no-photos", "", "train on landscape renders alone when the photos are missing", ""},
    {"export", "FILE", "write the run's weights as a shipping safetensors file and exit", ""},
    {"no-ema", "", "export the trained weights instead of their EMA", ""},
    {"fp32", "", "export float32 instead of float16", ""},
};

/// `--threads auto`: on a CPU shared with other jobs two OpenMP threads can be ten times slower
/// than one (a preempted thread stalls every barrier), on a quiet one nearly twice as fast. Now
/// and then one log window runs with the other count and the faster count is kept. A failed
/// trial costs a slow window, so the wait before the next one doubles (up to ~8000 steps).
class ThreadTuner
{
public:
    void observe(const train::AeProgress& p)
    {
        if (!p.event.empty()) // sample grids and checkpoints distort the window's speed
            return;
        if (m_trial) {
            m_trial = false;
            m_windows = 0;
            if (p.stepsPerSecond < m_baseline) {
                torch::set_num_threads(3 - torch::get_num_threads());
                m_interval = std::min(m_interval * 2, 400);
            } else {
                m_interval = 25;
                std::fprintf(stderr, "train-ae: now %d threads (%.2f vs %.2f step/s)\n",
                             torch::get_num_threads(), p.stepsPerSecond, m_baseline);
            }
        } else if (++m_windows >= m_interval) {
            m_baseline = p.stepsPerSecond;
            m_trial = true;
            torch::set_num_threads(3 - torch::get_num_threads());
        }
    }

private:
    int m_windows = 0;
    int m_interval = 25;
    bool m_trial = false;
    double m_baseline = 0;
};

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
    trainerOptions.runDir = options.text("run-dir", defaultRunsDir() + "/ae-f4");
    const bool autoThreads = options.text("threads") == "auto";
    trainerOptions.threads = autoThreads ? 1 : options.integer("threads", 0, 1, 256);
    trainerOptions.steps = options.integer("steps", 0, 1, int64_t{1} << 40);
    trainerOptions.requirePhotos = !options.has("allow-no-photos");
    trainerOptions.initFrom = options.text("init-from");
    if (!options.error().empty() || !options.positional().empty()) {
        std::fprintf(stderr, "train-ae: %s\n",
                     options.error().empty() ? "unexpected argument (see --help)"
                                             : options.error().c_str());
        return ExitUsage;
    }
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
    installStopHandler();
    const bool terminal = isatty(fileno(stderr));
    ThreadTuner tuner;
    double lastPsnr = -1;
    auto ok = t.run(trainingStopFlag(), [&](const train::AeProgress& p) {
        printProgress(p, terminal);
        lastPsnr = p.valPsnr >= 0 ? p.valPsnr : lastPsnr;
        writeTrainingStatus(trainerOptions.runDir, {"autoencoder", p.step, p.totalSteps, p.loss,
                                                    p.stepsPerSecond, lastPsnr,
                                                    "held-out PSNR dB"});
        if (autoThreads)
            tuner.observe(p);
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
