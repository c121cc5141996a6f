// SPDX-License-Identifier: GPL-3.0-or-later
// Held-out quality of a first stage: PSNR/SSIM of its reconstructions next to the bicubic
// 4× down-up baselines that carry the same number of values (f = 4, 3 channels).
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/result.h"
#include "train/image_metrics.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ldm::train {

/// Encodes (posterior mean) and decodes RGB crops in float32 without gradients.
std::vector<cv::Mat> reconstructCrops(const FirstStage& stage, const std::vector<cv::Mat>& crops,
                                      int64_t batchSize = 16);

/// What to evaluate on.
struct AeEvalOptions
{
    std::string photos = "data/photos"; ///< folder with split.txt; its val photos are used
    int64_t count = 256;                ///< number of fixed crops
    int64_t cropSize = 64;              ///< crop side
    int64_t shortSide = 512;            ///< val photos are area-scaled to this short side
};

/// The numbers eval-ae prints.
struct AeEvalReport
{
    QualityStats autoencoder; ///< the model
    QualityStats bicubic;     ///< bicubic down, bicubic up
    QualityStats areaBicubic; ///< area down, bicubic up
    double latentMean = 0;    ///< of the posterior means over all crops
    double latentStd = 0;     ///< ditto; LDM's scale_factor would be 1 / latentStd
    size_t photoCount = 0;    ///< held-out photos the crops came from
    double seconds = 0;       ///< time spent in the model
    std::vector<std::string> warnings;
};

/// Evaluates on fixed crops of the held-out photos. InvalidFile when there are none.
Result<AeEvalReport> evaluateAutoencoder(const FirstStage& stage, const AeEvalOptions& options);

/// Same on crops the caller provides (landscape renders in tests, ...).
AeEvalReport evaluateOnCrops(const FirstStage& stage, const std::vector<cv::Mat>& crops);

} // namespace ldm::train
