// SPDX-License-Identifier: GPL-3.0-or-later
// Recognising the Stable Diffusion x4 upscaler (`x4-upscaler-ema.safetensors`,
// LatentUpscaleDiffusion) from its tensors, and filling in what its file does not say from
// configs/stable-diffusion/x4-upscaling.yaml. Also reads which transformer levels of any
// Stability UNet attend to the context in their first attention (`disable_self_attentions`).
#pragma once

#include "checkpoint/config_detection.h"

#include <string>
#include <vector>

namespace ldm {

/// True when the tensors are the x4 upscaler's: `low_scale_model.*` buffers and a UNet whose
/// input is the latent plus an RGB image, with a `label_emb` for the noise level.
bool isLatentUpscalerLayout(const ShapeMap& shapes);

/// What a first attention reads where context_dim equals the block width (the weights are
/// the same either way).
enum class AmbiguousFirstAttention {
    Self,               ///< itself, the UNet default
    UpscalerConvention, ///< x4-upscaling.yaml's pattern: the context at all levels but the deepest
};

/// Sets `disable_self_attentions` / `disable_middle_self_attn` of a UNet detected from
/// `prefix`-ed shapes: a level whose first attention's to_k reads context_dim rather than the
/// block's width attends to the context. Ambiguous levels follow `rule` and are listed in
/// `guesses` (replacing an earlier guess of this kind).
void detectContextSelfAttention(const ShapeMap& shapes, const std::string& prefix, UNetConfig& unet,
                                std::vector<std::string>& guesses,
                                AmbiguousFirstAttention rule = AmbiguousFirstAttention::Self);

/// For an x4 upscaler layout, completes what neither the file nor a config gave: the
/// low-scale augmentation, hybrid-adm conditioning, v-prediction, scale_factor 0.08333, the
/// LDM schedule (linear 0.0001 .. 0.02) and, when the UNet was detected from the shapes
/// (`unetFromShapes`), 8 heads at every level. Each is recorded in config.guesses.
void completeLatentUpscalerConfig(const ShapeMap& shapes, LdmConfig& config, bool unetFromShapes);

} // namespace ldm
