// SPDX-License-Identifier: GPL-3.0-or-later
// Internal: the state of an AeTrainer, shared by its implementation files (setup and
// checkpoints in ae_trainer.cpp, the step and its profile in ae_trainer_step.cpp).
#pragma once

#include "train/ae_trainer.h"
#include "train/batch_prefetcher.h"
#include "train/step_profile.h"

#include <ATen/CPUGeneratorImpl.h>

#include <memory>
#include <optional>

namespace ldm::train {

struct AeTrainer::State : RunProgress
{
    AeTrainConfig config;
    AeTrainerOptions options;
    std::optional<FirstStage> stage;
    std::optional<FirstStage> ema;
    std::optional<CropSource> data;
    /// Makes the crops of the coming steps from `data` (declared after it: stops first).
    /// While it exists, only its thread calls data->trainBatch.
    std::unique_ptr<BatchPrefetcher<torch::Tensor>> prefetcher;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    at::Generator noise = at::make_generator<at::CPUGeneratorImpl>(0);
    std::vector<std::string> warnings;
    std::vector<cv::Mat> valCrops;
    StepPhases lastPhases; ///< phase times of the last step

    double lrAt(int64_t s) const { return learningRateAt(config.optim, s, totalSteps); }

    /// The training crops of step `s` [B, 3, S, S] (from the prefetcher when there is one).
    torch::Tensor batchOf(int64_t s);
};

} // namespace ldm::train
