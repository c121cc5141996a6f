// SPDX-License-Identifier: GPL-3.0-or-later
// Trains the KL autoencoder (the LDM first stage) from a config, resumably.
//
// Usage:
//     auto config = AeTrainConfig::fromYamlFile("resources/train/autoencoder_f4.yaml");
//     AeTrainerOptions options{"runs/ae-f4"};
//     auto trainer = AeTrainer::create(*config, options);  // or AeTrainer::resume(options)
//     std::atomic<bool> stop{false};
//     trainer.value()->run(stop, [](const AeProgress& p) { print(p); });
//
// Determinism: the weights start from torch::manual_seed(seed); the crops and posterior noise
// of step s are drawn from generators seeded with (seed, s), so they need no saved state and a
// resumed run (same thread count) repeats the uninterrupted run exactly.
// Thread safety: one trainer per thread; it sets the thread's autocast state while stepping.
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/result.h"
#include "train/ae_train_config.h"
#include "train/image_crops.h"
#include "train/step_profile.h"
#include "train/train_log.h"
#include "train/training_loop.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ldm::train {

/// Run-time choices that are not part of the experiment.
struct AeTrainerOptions : RunOptions
{
    std::string name = "autoencoder-kl-f4"; ///< `name` written into weight files
    /// A new run starts from these weights (a shipped or exported autoencoder of the same
    /// config) instead of random ones: for when the run folder is lost. The optimiser state and
    /// the schedule position are not in such a file, so warm-up and the cosine schedule start
    /// over from step 0.
    std::string initFrom;
};

/// Numbers of one log interval.
struct AeProgress
{
    int64_t step = 0; ///< steps completed
    int64_t totalSteps = 0;
    double loss = 0, l1 = 0, edge = 0, kl = 0, lr = 0; ///< means over the interval
    double stepsPerSecond = 0;                         ///< over the interval
    double valPsnr = -1; ///< held-out PSNR when measured at this step, else < 0
    std::string event;   ///< "checkpoint", "samples", ... done at this step
};

/// The autoencoder trainer.
class AeTrainer
{
public:
    /// Starts a new run in options.runDir. Fails when that folder already has a checkpoint
    /// (resume it or choose another folder), the photos are missing (unless allowed) or the
    /// folder cannot be written.
    static Result<std::unique_ptr<AeTrainer>> create(const AeTrainConfig& config,
                                                     const AeTrainerOptions& options);
    /// Continues the run in options.runDir from its last checkpoint, with the config stored
    /// there. A corrupt or incomplete checkpoint fails with InvalidFile naming the file.
    static Result<std::unique_ptr<AeTrainer>> resume(const AeTrainerOptions& options);
    ~AeTrainer();

    /// Trains one step. InvalidRequest when the loss is not finite.
    Result<void> step();
    /// Trains 2 warm-up steps, then `steps` timed ones, then one under the operator profiler,
    /// and returns where the time went. The steps are real training steps (the run advances)
    /// but nothing is saved.
    Result<StepProfile> profile(int64_t steps);
    /// Trains until totalSteps() or until `stop` is set, logging, sampling and checkpointing at
    /// the configured intervals and once more at the end. `progress` gets each log point.
    Result<void> run(const std::atomic<bool>& stop,
                     const std::function<void(const AeProgress&)>& progress);

    /// Writes checkpoint/ (weights, EMA, optimizer, state) atomically.
    Result<void> saveCheckpoint();
    /// Writes the sample grid and returns the held-out PSNR (RGB, dB) of the EMA weights.
    Result<double> writeSamples();
    /// Held-out PSNR (RGB, dB) of the shipped weights (EMA when enabled) on val_crops crops.
    double heldOutPsnr();

    int64_t completedSteps() const;
    int64_t totalSteps() const;
    const AeTrainConfig& config() const;
    const LossHistory& history() const;
    /// Non-fatal problems (missing photos when allowed, skipped files, ...).
    const std::vector<std::string>& warnings() const;
    /// The model being trained (train mode, float32, maybe channels-last weights).
    const FirstStage& model() const;
    /// A model holding the EMA weights (or a copy of the trained ones when EMA is off).
    FirstStage shippedModel();
    /// Parameter count of the autoencoder.
    int64_t parameterCount() const;

private:
    struct State;
    explicit AeTrainer(std::unique_ptr<State> state);
    static Result<std::unique_ptr<AeTrainer>> build(const AeTrainConfig& config,
                                                    const AeTrainerOptions& options);
    Result<void> restore(const RunCheckpoint& checkpoint);
    Result<void> initialiseFrom(const std::string& path);
    std::unique_ptr<State> m;
};

} // namespace ldm::train
