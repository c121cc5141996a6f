// SPDX-License-Identifier: GPL-3.0-or-later
// Internal: the state of an AeTrainer, shared by its implementation files (setup and
// checkpoints in ae_trainer.cpp, the step and its profile in ae_trainer_step.cpp).
#pragma once

#include "train/ae_trainer.h"
#include "train/batch_prefetcher.h"
#include "train/step_profile.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <memory>
#include <optional>

namespace ldm::train {

struct AeTrainer::State
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
    LossHistory history;
    RunningMean window;
    int64_t step = 0;
    int64_t totalSteps = 0;
    int64_t lastCheckpoint = -1;
    std::vector<std::string> warnings;
    std::vector<cv::Mat> valCrops;
    StepPhases lastPhases; ///< phase times of the last step

    double lrAt(int64_t s) const
    {
        const auto& o = config.optim;
        if (s < o.warmupSteps)
            return o.lr * double(s + 1) / double(o.warmupSteps);
        if (o.schedule == "constant")
            return o.lr;
        const double span = double(std::max<int64_t>(1, totalSteps - o.warmupSteps));
        const double progress = std::min(1.0, double(s - o.warmupSteps) / span);
        return o.lrMin + 0.5 * (o.lr - o.lrMin) * (1.0 + std::cos(M_PI * progress));
    }

    /// The training crops of step `s` [B, 3, S, S] (from the prefetcher when there is one).
    torch::Tensor batchOf(int64_t s);
};

} // namespace ldm::train
