// SPDX-License-Identifier: GPL-3.0-or-later
// Internal: the state of an LdmTrainer, shared by its implementation files (loop, samples).
// Not part of the trainer's interface.
#pragma once

#include "first_stage/first_stage.h"
#include "sampling/noise_schedule.h"
#include "tokenizer/tokenizer.h"
#include "train/batch_prefetcher.h"
#include "train/ldm_data.h"
#include "train/ldm_model.h"
#include "train/ldm_trainer.h"
#include "train/step_profile.h"
#include "train/train_log.h"
#include "train/training_loop.h"

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ldm::train {

/// File names inside a run folder.
constexpr const char* RunFirstStageFile = "first_stage.safetensors";
constexpr const char* RunTokenizerPrefix = "tokenizer"; ///< tokenizer.model / .vocab
constexpr const char* RunPaletteFile = "palette.json";

struct LdmTrainer::State : RunProgress
{
    LdmTrainConfig config;
    LdmTrainerOptions options;
    LdmConfig model;                      ///< full config incl. scale factor
    std::optional<FirstStage> firstStage; ///< frozen, eval, fp32
    LdmNets nets;                         ///< trained
    LdmNets ema;                          ///< EMA twin (eval); copy of nets when EMA is off
    std::optional<Tokenizer> tokenizer;
    std::optional<LdmDataSource> data;
    /// Makes the batches of the coming steps from `data` (declared after it: stops first).
    /// While it exists, only its thread calls data->trainBatch.
    std::unique_ptr<BatchPrefetcher<LdmBatch>> prefetcher;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::optional<NoiseSchedule> schedule;
    torch::Tensor sqrtAlphaBar;         ///< float32 [T]
    torch::Tensor sqrtOneMinusAlphaBar; ///< float32 [T]
    torch::Tensor uncondTokens;         ///< [L] ids of the "" prompt
    double scaleFactor = 1.0;
    std::vector<std::string> warnings;
    std::optional<LdmBatch> heldOutBatch; ///< cached fixed examples
    StepPhases lastPhases;                ///< phase times of the last step

    /// The batch of step `s` (from the prefetcher when options.prefetch).
    LdmBatch batchOf(int64_t s);
    /// Learning rate of step `s` (warm-up, then constant or cosine).
    double lrAt(int64_t s) const { return learningRateAt(config.optim, s, totalSteps); }
    /// Prompt ids [B, L] of captions.
    torch::Tensor tokensFor(const std::vector<std::string>& captions) const;
    /// The condition of a batch. With `dropout`, each condition of each sample is dropped
    /// with its configured chance; `dropText` / `dropMap` drop them for the whole batch.
    LdmCond condition(const LdmNets& networks, const LdmBatch& batch, TrainRng* dropout,
                      bool dropText = false, bool dropMap = false) const;
    /// z = scale_factor · E(x) with KL noise from `generator`, no gradients.
    torch::Tensor encode(const torch::Tensor& images, at::Generator& generator) const;
    /// The batch of fixed held-out examples (count = sample columns, at least batch size).
    const LdmBatch& heldOut();
};

/// "step-0001234".
std::string stepName(int64_t step);

} // namespace ldm::train
