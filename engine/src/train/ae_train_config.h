// SPDX-License-Identifier: GPL-3.0-or-later
// Configuration of an autoencoder training run, read from a YAML file such as
// resources/train/autoencoder_f4.yaml (the keys are named beside each field).
#pragma once

#include "first_stage/first_stage_config.h"
#include "ldm/result.h"

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
struct AeOptimConfig
{
    double lr = 1e-3;                ///< `lr`: peak learning rate
    double lrMin = 1e-4;             ///< `lr_min`: end of the cosine schedule
    std::string schedule = "cosine"; ///< `schedule`: "cosine" or "constant"
    int64_t warmupSteps = 200;       ///< `warmup_steps`: linear ramp from 0
    double beta1 = 0.5;              ///< `betas[0]` (LDM's autoencoders use 0.5)
    double beta2 = 0.9;              ///< `betas[1]`
    double weightDecay = 0.0;        ///< `weight_decay`
    double gradClip = 0.0;           ///< `grad_clip`: max global grad norm, 0 = off
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
struct AeLoopConfig
{
    int64_t batchSize = 8;         ///< `batch_size`
    int64_t steps = 60000;         ///< `steps`
    int64_t threads = 2;           ///< `threads` (the CLI's --threads wins)
    bool bf16 = true;              ///< `bf16`: bf16 autocast for the forward pass
    bool channelsLast = true;      ///< `channels_last` memory format
    uint64_t seed = 1234;          ///< `seed`: weights, noise and data
    double emaDecay = 0.999;       ///< `ema_decay`: 0 disables the EMA copy
    int64_t logEvery = 20;         ///< `log_every`: steps per history entry / progress line
    int64_t sampleEvery = 500;     ///< `sample_every`: steps per sample grid + val PSNR
    int64_t checkpointEvery = 250; ///< `checkpoint_every`
    int64_t snapshotEvery = 5000;  ///< `snapshot_every`: keep an EMA weight file, 0 = never
    int64_t valCrops = 64;         ///< `val_crops`: fixed held-out crops for the val PSNR
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
