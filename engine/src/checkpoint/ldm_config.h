// SPDX-License-Identifier: GPL-3.0-or-later
// The configuration of a whole latent diffusion checkpoint: which parts it has and how each
// is built. It comes from the checkpoint's CompVis config.yaml when given, else from the
// file's own metadata (our checkpoints and the parity fixtures carry it), else it is detected
// from tensor names and shapes (config_detection.h).
#pragma once

#include "conditioning/class_embedder.h"
#include "conditioning/clip_text_encoder.h"
#include "conditioning/open_clip_text_encoder.h"
#include "conditioning/spatial_rescaler.h"
#include "conditioning/text_encoder.h"
#include "first_stage/first_stage_config.h"
#include "ldm/result.h"
#include "sampling/low_scale_augmentation.h"
#include "sampling/noise_schedule.h"
#include "unet/unet_config.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ldm {

/// How the UNet receives its condition (`conditioning_key`). HybridAdm ("hybrid-adm", the SD
/// x4 upscaler): concat + cross-attention + a class label (the noise level).
enum class ConditioningKey { None, CrossAttn, Concat, Hybrid, Adm, HybridAdm };

/// The concat input of an inpainting UNet (in_channels = 2 x latent + 1), whose channel order
/// and scaling differ between the two releases that have one.
enum class InpaintConcat {
    None,
    /// CompVis `inpainting_big` (scripts/inpaint.py): cat(x_t, first-stage encoding of the
    /// masked image with the fill area black, mask in {-1, 1}); no text.
    LatentThenMask,
    /// Stable Diffusion `LatentInpaintDiffusion` (sd-v1-5-inpainting, 512-inpainting-ema):
    /// cat(x_t, mask in {0, 1}, scale_factor x latent of the masked image with the fill area
    /// 0); text through cross-attention.
    MaskThenLatent,
};

const char* conditioningKeyName(ConditioningKey key);
Result<ConditioningKey> parseConditioningKey(const std::string& name);

/// The encoder behind `cond_stage_model` (and, for hybrid models, the concat encoder).
enum class CondStageKind {
    None,            ///< unconditional, or the condition is used as given (torch.nn.Identity)
    Text,            ///< BERTEmbedder / TransformerEmbedder (x-transformers)
    ClassLabel,      ///< ClassEmbedder
    SpatialRescaler, ///< SpatialRescaler over a one-hot map or an image
    ClipText,        ///< FrozenCLIPEmbedder (Stable Diffusion 1.x)
    OpenClipText,    ///< FrozenOpenCLIPEmbedder (Stable Diffusion 2.x)
};

const char* condStageKindName(CondStageKind kind);

/// One semantic class of a map-conditioned model (palette entry).
struct SemanticClass {
    int id = 0;
    std::string name;
    std::string color; ///< "#rrggbb"
};

/// Everything needed to build and run a checkpoint.
struct LdmConfig {
    ScheduleConfig schedule;          ///< linear_start, linear_end, timesteps
    double scaleFactor = 1.0;         ///< scale_factor (a checkpoint buffer wins)
    ConditioningKey conditioningKey = ConditioningKey::None; ///< conditioning_key
    std::optional<UNetConfig> unet;                ///< unet_config.params
    std::optional<AutoencoderConfig> firstStage;   ///< first_stage_config.params
    CondStageKind condStage = CondStageKind::None; ///< cond_stage_config.target
    std::optional<TextEncoderConfig> text;         ///< BERTEmbedder params
    std::optional<ClipTextConfig> clipText;        ///< FrozenCLIPEmbedder's CLIP text model
    std::optional<OpenClipTextConfig> openClipText; ///< FrozenOpenCLIPEmbedder's text tower
    /// FrozenOpenCLIPEmbedder `layer` from a config.yaml ("last" | "penultimate"); empty: SD-2.x's
    /// penultimate. Applied when the tower's sizes are detected from the weights.
    std::string openClipLayer;
    /// `parameterization`: what the UNet predicts, "eps" (noise) or "v" (SD-2.x 768-v); empty
    /// when no config said (the loader then applies the family's default, as a guess).
    std::string parameterization;
    /// True when the UNet predicts v rather than the noise.
    bool predictsV() const { return parameterization == "v"; }
    /// `use_ema` of a config.yaml: which UNet weights to sample with when a file has both.
    /// Unset: the family's convention (SD files: the ordinary weights; LDM files: the EMA).
    std::optional<bool> useEma;
    std::optional<ClassEmbedderConfig> classEmbedder; ///< ClassEmbedder params
    /// SpatialRescaler params: the cond stage of concat models, or the concat encoder of a
    /// hybrid model (our extension: its weights, if any, live under `concat_stage_model.`).
    std::optional<SpatialRescalerConfig> rescaler;
    /// Concat input of the UNet for models conditioned on an image rather than on a map
    /// (super-resolution: the low-res image itself, cond stage torch.nn.Identity).
    bool concatImage = false;
    /// `low_scale_config` of the SD x4 upscaler (LatentUpscaleDiffusion): the concat image is
    /// noise-augmented under this schedule and its level is the UNet's class label.
    std::optional<LowScaleConfig> lowScale;
    /// Inpainting UNet layout; detected from the channel counts and the text tower (both
    /// releases name the same keys), so a config.yaml is never needed for it.
    InpaintConcat inpaint = InpaintConcat::None;
    std::vector<SemanticClass> classes; ///< palette of map-conditioned models (ours)
    std::string tokenizer;              ///< sentencepiece model file beside the checkpoint (ours)
    std::string name;                   ///< display name (ours)
    /// What was guessed rather than read (detection cannot see attention head counts...).
    std::vector<std::string> guesses;

    /// Reads a CompVis config.yaml already converted to JSON (`model.params...`).
    static Result<LdmConfig> fromCompVisYaml(const nlohmann::json& yaml);
    /// Reads the string metadata of a safetensors checkpoint (keys `ldm_params`, `unet`,
    /// `ddconfig`/`embed_dim`/`n_embed`, `text`, `class_embedder`, `rescaler`, `config`, ...).
    /// Parts the metadata does not describe stay empty.
    static Result<LdmConfig> fromMetadata(const std::map<std::string, std::string>& metadata);
    /// The metadata we write into our own checkpoints (inverse of fromMetadata).
    std::map<std::string, std::string> toMetadata() const;
};

} // namespace ldm
