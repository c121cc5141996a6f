// SPDX-License-Identifier: GPL-3.0-or-later
// The outer loop both trainers run, and their learning-rate schedule: steps until the total or
// a stop request, a history point every `log_every` steps, sample grids and checkpoints when
// due, and a checkpoint of the last step. Each trainer supplies its step, samples and
// checkpoint, and turns the loop's log points into its own progress report.
#pragma once

#include "ldm/result.h"
#include "train/config_section.h"
#include "train/train_log.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace ldm::train {

/// The options of a training run that both trainers take (the CLI's shared flags).
struct RunOptions
{
    std::string runDir;        ///< the run folder (created when missing)
    int64_t threads = 0;       ///< intra-op threads; 0 uses the config's
    int64_t steps = 0;         ///< total steps; 0 uses the config's (extends a resumed run)
    bool requirePhotos = true; ///< false: fall back to landscape renders when photos are missing
    /// Make the batches of the coming steps on a background thread (same batches, the step
    /// no longer waits for cropping, rendering and degrading).
    bool prefetch = true;
    /// 1 or 0 overrides the config's `training.bf16` (also for a resumed run, whose stored
    /// config is updated); −1 keeps it.
    int bf16 = -1;
    /// Threads follow the machine's load (pipeline/cpu_share.h): up to `threads` (or the
    /// config's), fewer while other busy processes hold cores. A resumed run then no longer
    /// repeats the uninterrupted one bit for bit.
    bool adaptiveThreads = false;
};

/// The counters and logs of a run that the loop advances (part of each trainer's state).
struct RunProgress
{
    LossHistory history;
    RunningMean window; ///< values logged by the steps since the last history point
    int64_t step = 0;   ///< steps completed
    int64_t totalSteps = 0;
    int64_t lastCheckpoint = -1; ///< step of the last saved checkpoint
};

/// One log point of the loop.
struct LoopPoint
{
    int64_t step = 0;
    int64_t totalSteps = 0;
    std::map<std::string, double> means; ///< the steps' values averaged since the last point
    double stepsPerSecond = 0;           ///< over the same interval
    bool sampled = false;                ///< a sample grid was written at this step
    std::string event;                   ///< " samples", " checkpoint": done at this step
};

/// What the loop calls in a trainer.
struct LoopHooks
{
    std::function<Result<void>()> step;           ///< one training step (advances the step)
    std::function<Result<void>()> writeSamples;   ///< sample grid of the current weights
    std::function<Result<void>()> saveCheckpoint; ///< sets the run's lastCheckpoint
    /// Steps with a sample grid besides every `sample_every` and the last; may be empty.
    std::function<bool(int64_t step)> extraSamples;
    /// The progress of a log point; may be empty.
    std::function<void(const LoopPoint&)> report;
};

/// A run folder's last checkpoint: the folder and its state.json.
struct RunCheckpoint
{
    std::string folder;
    nlohmann::json state;
};

/// Finds the last checkpoint of `runDir` and reads its state.json, which must be an object
/// with "format" `format` and a "config"; `what` names such a state in the error ("an
/// autoencoder run state").
Result<RunCheckpoint> findRunCheckpoint(const std::string& runDir, const std::string& format,
                                        const std::string& what);

/// Restores what every checkpoint holds besides the weights: the optimizer state
/// (optimizer.pt), the step and the loss history.
Result<void> restoreRunProgress(const RunCheckpoint& checkpoint, torch::optim::Optimizer& optimizer,
                                RunProgress& run);

/// Runs `hooks.step` until `run.totalSteps` or `stop`, logging every `loop.logEvery` steps
/// into `run.history`, writing samples every `loop.sampleEvery` steps and checkpoints every
/// `loop.checkpointEvery` steps, at the last step and when stopped. Returns the first failure.
Result<void> runTrainingLoop(const LoopSection& loop, RunProgress& run,
                             const std::atomic<bool>& stop, const LoopHooks& hooks);

/// Learning rate of step `s` of a run of `totalSteps`: linear warm-up over
/// `optim.warmupSteps`, then constant or a cosine from `optim.lr` down to `optim.lrMin`.
double learningRateAt(const OptimizerSection& optim, int64_t s, int64_t totalSteps);

} // namespace ldm::train
