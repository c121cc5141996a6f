// SPDX-License-Identifier: GPL-3.0-or-later
// The autoencoder-trainer experiment the trainer tests share: a tiny KL model (32 channels,
// three levels) on 32-px landscape crops alone (no photos needed), 30 fp32 steps on one thread.
#pragma once

#include <nlohmann/json.hpp>

namespace ldm::testing {

inline nlohmann::json tinyAutoencoderConfig()
{
    return nlohmann::json::parse(R"({
  "model": {"embed_dim": 3, "logvar_init": -8.0,
            "ddconfig": {"double_z": true, "z_channels": 3, "resolution": 32, "in_channels": 3,
                         "out_ch": 3, "ch": 32, "ch_mult": [1, 1, 1], "num_res_blocks": 1,
                         "attn_resolutions": [], "dropout": 0.0, "attn_type": "none"}},
  "data": {"photos": "/nonexistent/photos", "landscape_share": 1.0, "crop_size": 32,
           "photo_short_sides": [64], "landscape_pool": 4, "landscape_size": 64,
           "landscape_refresh_every": 0},
  "optimizer": {"lr": 2e-3, "warmup_steps": 2, "schedule": "cosine", "lr_min": 1e-4},
  "loss": {"l1": 1.0, "edge": 0.5, "kl_weight": 1e-6},
  "training": {"batch_size": 4, "steps": 30, "threads": 1, "bf16": false, "seed": 7,
               "log_every": 5, "sample_every": 0, "checkpoint_every": 1000,
               "snapshot_every": 0, "val_crops": 8, "ema_decay": 0.99}
})");
}

} // namespace ldm::testing
