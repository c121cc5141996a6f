// SPDX-License-Identifier: GPL-3.0-or-later
// Configuration of an autoencoder training run, read from a YAML file such as
// resources/train/autoencoder_f4.yaml (the keys are named beside each field).
#pragma once

#include "first_stage/first_stage_config.h"
#include "ldm/result.h"
#include "train/config_section.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ldm::train {

/// Where training crops come from (`data:`).
struct AeDataConfig
{
    std::string photos = "data/photos"; ///< `photos`: folder with images and split.txt
    double landscapeShare = 0.25;       ///< `landscape_share`: share of procedural renders
    int64_t cropSize = 64;              ///< `crop_size`: side of the square training crops
    /// `photo_short_sides`: each photo is kept at these short sides (px, capped at native).
    std::vector<int64_t> photoShortSides{256, 384, 512, 768};
    double scaleJitter = 1.5;          ///< `scale_jitter`: crop side drawn in [1, x]·crop_size
    bool flip = true;                  ///< `flip`: random horizontal flips
    int64_t landscapePool = 64;        ///< `landscape_pool`: renders kept in memory
    int64_t landscapeSize = 256;       ///< `landscape_size`: render side (px)
    int64_t landscapeRefreshEvery = 4; ///< `landscape_refresh_every`: steps per new render
    int64_t valShortSide = 512;        ///< `val_short_side`: held-out photos are scaled to it
};

/// `optimizer:` AdamW with warm-up and a constant or cosine schedule.
struct AeOptimConfig : OptimizerSection
{
    // LDM's autoencoders train with betas (0.5, 0.9), no weight decay and no clipping.
    AeOptimConfig() : OptimizerSection{1e-3, 1e-4, "cosine", 200, 0.5, 0.9, 0.0, 0.0} {}
};

/// `loss:` weights. Every term is a mean per pixel; the KL is summed per sample as LDM does and
/// divided by the pixels per sample, which is LDM's weighting with the whole loss scaled down.
struct AeLossConfig
{
    double l1 = 1.0;        ///< `l1`
    double edge = 0.5;      ///< `edge`: L1 between Sobel gradients (keeps edges sharp)
    double klWeight = 1e-6; ///< `kl_weight`
};

/// `training:` the loop.
struct AeLoopConfig : LoopSection
{
    int64_t valCrops = 64; ///< `val_crops`: fixed held-out crops for the val PSNR

    AeLoopConfig()
    {
        batchSize = 8;
        emaDecay = 0.999;
        sampleEvery = 500; // sample grid + val PSNR
        snapshotEvery = 5000;
    }
};

/// A whole run.
struct AeTrainConfig
{
    AutoencoderConfig model;  ///< `model` (`ddconfig`, `embed_dim`)
    double logvarInit = -8.0; ///< `model.logvar_init`: bias of the logvar half of quant_conv
    AeDataConfig data;
    AeOptimConfig optim;
    AeLossConfig loss;
    AeLoopConfig loop;
    nlohmann::json source; ///< the config as read, stored in the run folder

    /// Reads and checks a config; errors name the key. Unknown keys are rejected so a typo
    /// does not silently train with a default.
    static Result<AeTrainConfig> fromJson(const nlohmann::json& json);
    /// readYamlAsJson + fromJson.
    static Result<AeTrainConfig> fromYamlFile(const std::string& path);
};

} // namespace ldm::train
