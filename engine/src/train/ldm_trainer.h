// SPDX-License-Identifier: GPL-3.0-or-later
// Trains a latent diffusion model on the latents of a frozen first stage, resumably.
//
// Usage:
//     auto config = LdmTrainConfig::fromYamlFile("resources/train/landscape_ldm.yaml");
//     LdmTrainerOptions options{"runs/landscape-ldm"};
//     auto trainer = LdmTrainer::create(*config, options);  // or LdmTrainer::resume(options)
//     std::atomic<bool> stop{false};
//     trainer.value()->run(stop, [](const LdmProgress& p) { print(p); });
//     trainer.value()->exportCheckpoint("landscape.safetensors", torch::kFloat16);
//
// Objective (Ho et al. 2020, L_simple; Rombach et al. 2022): z = scale_factor · E(x) (a KL
// posterior sample), t ~ U{0..T−1}, ε ~ N(0, I), loss = ‖ε − ε_θ(√ᾱ_t z + √(1−ᾱ_t) ε, t, c)‖².
// Each condition is dropped independently per sample (text → the "" prompt, map → all-zero
// one-hot = unknown) so one model serves classifier-free guidance on text, map or both.
//
// Run folder: first_stage.safetensors (the frozen AE, copied in so the run stays valid when
// the source file changes), tokenizer.model, config.json, checkpoint/ (model, ema, optimizer,
// state.json), samples/, snapshots/, loss.png, samples.png.
// Determinism: weights from torch::manual_seed(seed); the batch, dropout draws, timesteps and
// noise of step s are drawn from generators seeded with (seed, s), so a resumed run (same
// thread count) repeats the uninterrupted one.
// Thread safety: one trainer per thread; it sets the thread's autocast state while stepping.
#pragma once

#include "checkpoint/ldm_config.h"
#include "ldm/result.h"
#include "train/ldm_train_config.h"
#include "train/step_profile.h"
#include "train/train_log.h"
#include "train/training_loop.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ldm::train {

struct LdmNets;

/// Run-time choices that are not part of the experiment.
struct LdmTrainerOptions : RunOptions
{
    bool quietTokenizer = true; ///< sentencepiece trainer output off
};

/// Numbers of one log interval.
struct LdmProgress
{
    int64_t step = 0;
    int64_t totalSteps = 0;
    double loss = 0; ///< mean over the interval
    double lr = 0;
    double stepsPerSecond = 0; ///< over the interval
    std::string event;         ///< " samples", " checkpoint", ...
};

/// UNet forward timings (seconds per call, best of the repeats).
struct UNetTiming
{
    int64_t latentSize = 0;
    int64_t batch = 0;
    double fp32 = 0;
    double bf16 = 0;
};

/// The latent diffusion trainer.
class LdmTrainer
{
public:
    /// Starts a new run: copies the first stage in, trains the tokenizer (text runs),
    /// measures the scale factor. Fails when options.runDir already holds a run.
    static Result<std::unique_ptr<LdmTrainer>> create(const LdmTrainConfig& config,
                                                      const LdmTrainerOptions& options);
    /// Continues the run in options.runDir from its last checkpoint.
    static Result<std::unique_ptr<LdmTrainer>> resume(const LdmTrainerOptions& options);
    ~LdmTrainer();

    /// Trains one step. InvalidRequest when the loss is not finite.
    Result<void> step();
    /// Trains 2 warm-up steps, then `steps` timed ones, then one under the operator profiler,
    /// and returns where the time went. Real training steps (the run advances), nothing saved.
    Result<StepProfile> profile(int64_t steps);
    /// Trains until totalSteps() or `stop`, logging, sampling and checkpointing as configured.
    Result<void> run(const std::atomic<bool>& stop,
                     const std::function<void(const LdmProgress&)>& progress);
    /// Writes checkpoint/ atomically (and a snapshot export when due).
    Result<void> saveCheckpoint();
    /// Writes samples/step-N.png, samples.png and loss.png.
    Result<void> writeSamples();
    /// Exports the single-file checkpoint (see exportLdmCheckpoint) and the tokenizer beside
    /// it as `<stem>.tokenizer.model`.
    Result<void> exportCheckpoint(const std::string& path, torch::ScalarType dtype,
                                  bool emaOnly = false);
    /// UNet forward time at a `latentSize`² latent (batch 2 = one CFG step), fp32 and bf16.
    UNetTiming timeUNet(int64_t latentSize, int64_t batch = 2, int repeats = 3);
    /// Mean loss over `batches` fixed held-out batches at fixed timesteps (EMA when `ema`).
    double heldOutLoss(int64_t batches, bool ema);

    int64_t completedSteps() const;
    int64_t totalSteps() const;
    double scaleFactor() const;
    const LdmTrainConfig& config() const;
    const LdmConfig& modelConfig() const;
    const LossHistory& history() const;
    const std::vector<std::string>& warnings() const;
    /// Parameters of the UNet and of the text encoder.
    int64_t unetParameters() const;
    int64_t textParameters() const;
    /// The trained networks (for tests).
    const LdmNets& nets() const;

    /// The trainer's internals (ldm_trainer_state.h); named here only so its implementation
    /// files can share helpers.
    struct State;

private:
    explicit LdmTrainer(std::unique_ptr<State> state);
    static Result<std::unique_ptr<LdmTrainer>>
    build(const LdmTrainConfig& config, const LdmTrainerOptions& options, double scaleFactor);
    Result<void> restore(const RunCheckpoint& checkpoint);
    std::unique_ptr<State> m;
};

} // namespace ldm::train
