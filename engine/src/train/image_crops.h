// SPDX-License-Identifier: GPL-3.0-or-later
// Training and held-out crops for the autoencoder: real photos (data/photos, split by
// split.txt) mixed with procedural landscape renders, so the first stage learns both the
// photos users bring and the painted look of the landscape model's training images.
//
// Determinism: every random choice comes from a TrainRng the caller owns, and the pool of
// landscape renders is a pure function of the step, so a resumed run sees the same crops.
#pragma once

#include "data/landscape_generator.h"
#include "ldm/result.h"
#include "train/ae_train_config.h"
#include "train/train_rng.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace ldm::train {

/// The photos of a folder split into training and held-out files (full paths).
struct PhotoSplit
{
    std::vector<std::string> train;
    std::vector<std::string> val;
    std::vector<std::string> warnings; ///< listed files that do not exist, odd lines, ...
};

/// Reads `folder`/split.txt: lines "train NAME" / "val NAME" (either order; tabs, commas or
/// colons also separate; `#` comments) or section lines "train:" / "[val]" followed by names.
/// Without split.txt, train/ and val/ subfolders are used; failing that, every image in the
/// folder, with each 8th (sorted by name) held out. A missing folder is an InvalidFile error.
Result<PhotoSplit> readPhotoSplit(const std::string& folder);

/// Loads an image as CV_8UC3 RGB, area-scaled down so its short side is at most `maxShortSide`
/// (0 keeps the native size).
Result<cv::Mat> loadRgbImage(const std::string& path, int64_t maxShortSide = 0);

/// The held-out photos of `folder` (its split's val list), each area-scaled to `shortSide`.
/// Unreadable files are skipped with a warning; no held-out photo at all is an InvalidFile error.
Result<std::vector<cv::Mat>> loadHeldOutPhotos(const std::string& folder, int64_t shortSide,
                                               std::vector<std::string>* warnings = nullptr);

/// `count` fixed square crops of side `size`, taken in turn from the images big enough for
/// them at positions that depend only on (index, size): the same crops on every run.
std::vector<cv::Mat> fixedCrops(const std::vector<cv::Mat>& images, int64_t count, int64_t size);

/// Converts RGB CV_8UC3 crops of one size to a float [B, 3, H, W] batch in [−1, 1], stored
/// channels-last when asked (the crops' own layout, so that costs nothing). A plain loop on the
/// calling thread: safe on a prefetch thread without starting an OpenMP team there.
torch::Tensor cropsToTensor(const std::vector<cv::Mat>& crops, bool channelsLast = false);
/// Converts a [B, 3, H, W] batch in [−1, 1] back to RGB CV_8UC3 images (rounded, clamped).
std::vector<cv::Mat> tensorToCrops(const torch::Tensor& batch);

/// Draws training crops and fixed held-out crops.
class CropSource
{
public:
    /// Loads the photos named by the config. `requirePhotos` false lets a run (or a test) go on
    /// with landscape renders alone when the folder is missing or empty; the reason is then in
    /// warnings().
    static Result<CropSource> create(const AeDataConfig& config, uint64_t seed, bool requirePhotos);

    /// A batch of `count` random training crops [count, 3, S, S] in [−1, 1]. `completedSteps`
    /// selects the landscape pool generation, so call it with the step being trained.
    torch::Tensor trainBatch(int64_t count, TrainRng& rng, int64_t completedSteps,
                             bool channelsLast = false);
    /// The crops of trainBatch as RGB CV_8UC3 images (same draws).
    std::vector<cv::Mat> trainCrops(int64_t count, TrainRng& rng, int64_t completedSteps);
    /// `count` fixed held-out crops of side `size`: held-out photos when there are any, else
    /// landscape scenes the training pool never renders. Same crops on every call and run.
    std::vector<cv::Mat> heldOutCrops(int64_t count, int64_t size) const;
    /// `count` fixed landscape crops of side `size` from scenes training never sees.
    std::vector<cv::Mat> landscapeCrops(int64_t count, int64_t size) const;

    size_t trainPhotoCount() const { return m_trainPhotos.size(); }
    size_t valPhotoCount() const { return m_valPhotos.size(); }
    const std::vector<std::string>& warnings() const { return m_warnings; }

private:
    CropSource(AeDataConfig config, uint64_t seed);
    void syncLandscapePool(int64_t completedSteps);
    cv::Mat randomCrop(const cv::Mat& image, TrainRng& rng) const;
    cv::Mat renderScene(uint64_t sceneSeed, int64_t size) const;

    AeDataConfig m_config;
    uint64_t m_seed = 0;
    data::LandscapeGenerator m_generator;
    std::vector<std::vector<cv::Mat>> m_trainPhotos; ///< per photo: one image per scale
    std::vector<cv::Mat> m_valPhotos;                ///< at val_short_side
    std::vector<cv::Mat> m_pool;                     ///< landscape renders
    std::vector<int64_t> m_poolGeneration;           ///< generation of each pool entry
    std::vector<std::string> m_warnings;
};

} // namespace ldm::train
