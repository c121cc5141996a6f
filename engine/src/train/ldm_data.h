// SPDX-License-Identifier: GPL-3.0-or-later
// Training batches of the latent diffusion trainer: procedural landscape triplets (image,
// class map, caption) for the hybrid model, and (high-res crop, degraded low-res image) pairs
// for the 4x super-resolution model.
//
// Determinism: a batch is a pure function of (seed, step) — landscape scene seeds come from a
// counter (step · batch + i), photo crops and degradations from a TrainRng seeded with
// (seed, step) — so a resumed run draws exactly the batches of the uninterrupted one.
#pragma once

#include "data/landscape_generator.h"
#include "ldm/result.h"
#include "train/image_crops.h"
#include "train/ldm_train_config.h"
#include "train/train_rng.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

namespace ldm::train {

/// Class id that means "unknown" in a label tensor: its one-hot vector is all zeros, which is
/// also what the map dropout feeds, so unknown pixels are unconditional pixels.
constexpr int64_t UnknownClass = 255;

/// One batch.
struct LdmBatch
{
    torch::Tensor images;              ///< [B, 3, S, S] float in [−1, 1]
    torch::Tensor labels;              ///< [B, S, S] int64 class ids (map runs), else undefined
    torch::Tensor lowres;              ///< [B, 3, S/4, S/4] float in [−1, 1] (SR), else undefined
    std::vector<std::string> captions; ///< per image (landscape runs), else empty
};

/// [B, H, W] integer class ids -> [B, classes, H, W] float one-hot; ids outside
/// [0, classes) (UnknownClass) give all-zero vectors.
torch::Tensor oneHotMap(const torch::Tensor& labels, int64_t classes);

/// Sets a random rectangle (a quarter to three quarters of each side) of `labels` [H, W] to
/// UnknownClass, teaching the model to fill unpainted parts of a map.
void eraseRandomRectangle(torch::Tensor labels, TrainRng& rng);

/// The degradation of the SR model: blur (σ up to blur_max), 4x down (area or bicubic, drawn),
/// Gaussian noise, maybe JPEG. `hr` is RGB CV_8UC3 with sides divisible by 4.
cv::Mat degradeForSuperRes(const cv::Mat& hr, const LdmDataSection& config, TrainRng& rng);

/// Produces training batches and the fixed held-out examples of the sample grids.
class LdmDataSource
{
public:
    /// Landscape runs need nothing on disk; superres runs load the photos of data.photos
    /// (with `requirePhotos` false they fall back to landscape renders when they are missing).
    static Result<LdmDataSource> create(const LdmTrainConfig& config, bool requirePhotos);

    /// The batch of training step `step` (same on every call and run).
    LdmBatch trainBatch(int64_t step);
    /// `count` fixed examples never used for training (held-out scene seeds or photos).
    LdmBatch heldOut(int64_t count);
    /// Random captions of generator scenes, for the tokenizer corpus.
    std::vector<std::string> corpusCaptions(int64_t count) const;

    const std::vector<std::string>& warnings() const { return m_warnings; }

private:
    LdmDataSource() = default;
    LdmBatch landscapeBatch(const std::vector<uint64_t>& sceneSeeds) const;
    LdmBatch superResBatch(const std::vector<cv::Mat>& hr, TrainRng& rng) const;

    LdmTrainConfig m_config;
    data::LandscapeGenerator m_generator;
    std::optional<CropSource> m_crops;
    std::vector<std::string> m_warnings;
};

} // namespace ldm::train
