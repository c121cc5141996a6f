// SPDX-License-Identifier: GPL-3.0-or-later
// The trainable networks of a latent diffusion run (UNet, text encoder, map rescaler), how a
// condition reaches the UNet (DiffusionWrapper: concat first, cross-attention context from the
// text encoder), and the export to one CompVis-layout safetensors file.
#pragma once

#include "checkpoint/ldm_config.h"
#include "core/state_dict.h"
#include "first_stage/first_stage.h"
#include "ldm/result.h"
#include "train/ldm_train_config.h"
#include "unet/unet_model.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ldm::train {

/// The classes of a palette JSON file (resources/palettes/*.json), in id order.
Result<std::vector<SemanticClass>> readPaletteClasses(const std::string& path);

/// The complete LdmConfig of a run: the UNet kwargs of the training config with in_channels,
/// out_channels, context_dim and use_spatial_transformer filled in (a value given in the YAML
/// must agree), the first stage, the text encoder (vocab_size = the tokenizer's), the map
/// rescaler (over one-hot maps of `classes`), schedule, scale factor and names.
Result<LdmConfig> makeRunLdmConfig(const LdmTrainConfig& config,
                                   const AutoencoderConfig& firstStage, int64_t vocabSize,
                                   const std::vector<SemanticClass>& classes,
                                   const std::string& tokenizerFile, double scaleFactor);

/// One set of trainable networks. Copies share the modules.
struct LdmNets
{
    UNetModel unet{nullptr};
    BertEmbedder text{nullptr};        ///< null without text conditioning
    SpatialRescaler rescaler{nullptr}; ///< null without map conditioning

    /// Builds freshly initialised networks (from the current torch seed) with CompVis'
    /// training initialisation (zeroed last convs of residual branches, small embeddings).
    /// Never throws.
    static Result<LdmNets> create(const LdmConfig& config);
    /// Parameters of the UNet and the text encoder (the rescaler has none unless it remaps).
    std::vector<torch::Tensor> parameters() const;
    /// Parameters and buffers under their checkpoint names (`model.diffusion_model.*`,
    /// `cond_stage_model.*`, `concat_stage_model.*` / `cond_stage_model.*` for the rescaler).
    io::TensorMap stateDict(const LdmConfig& config) const;
    /// Loads what stateDict() wrote; WeightsMismatch names every bad key.
    Result<void> load(const LdmConfig& config, const io::TensorMap& tensors);
    /// Train or eval mode for every part.
    void setTraining(bool on);
    /// Copies the values of `other` (same config) into these networks.
    void copyFrom(const LdmNets& other);
    /// ema ← decay·ema + (1 − decay)·this, over parameters.
    void blendInto(LdmNets& ema, double decay) const;
    /// Stores 4-D weights channels-last (faster convs on this CPU).
    void toChannelsLast();
};

/// What one noise prediction is conditioned on; undefined means "not used by this model".
struct LdmCond
{
    torch::Tensor tokens; ///< [B, L] int64 prompt ids (crossattn, hybrid)
    torch::Tensor concat; ///< [B, Cc, h, w] at latent size (concat, hybrid)
};

/// ε_θ(z_t, t, c) as DiffusionWrapper computes it: x = cat([z_t, concat]), context =
/// text(tokens). Returns the prediction in float32.
torch::Tensor predictNoise(const LdmNets& nets, const torch::Tensor& zt,
                           const torch::Tensor& timesteps, const LdmCond& cond);

/// The concat input of a map model: one-hot maps [B, classes, H, W] at image size through the
/// SpatialRescaler to latent size.
torch::Tensor mapConcat(const LdmNets& nets, const torch::Tensor& oneHot);

/// Everything an exported checkpoint holds.
struct LdmExportParts
{
    LdmConfig config;                       ///< with scaleFactor, classes, tokenizer, name
    const LdmNets* trained = nullptr;       ///< model.diffusion_model.* (+ text when no EMA)
    const LdmNets* ema = nullptr;           ///< model_ema.* and the text encoder; may be null
    const FirstStage* firstStage = nullptr; ///< copied in as first_stage_model.*
    int64_t emaUpdates = 0;
    double emaDecay = 0;
    /// Shipping form: the EMA UNet is written as model.diffusion_model.* and the trained
    /// weights are left out (half the UNet bytes; sampling loads the EMA weights anyway).
    bool emaOnly = false;
    std::map<std::string, std::string> extraMetadata; ///< training_step, ...
    /// The latent → RGB preview matrix [3, C + 1] fitted on the run's own images (stored as
    /// LatentProjection::TensorName, float32, so the engine's previews need no fit at load);
    /// undefined writes none.
    torch::Tensor previewProjection;
};

/// Writes one safetensors file in the CompVis single-file layout: schedule buffers and
/// scale_factor (float32 always), model.diffusion_model.*, model_ema.<dotless> (+ decay,
/// num_updates), cond_stage_model.* (the EMA text encoder, so the default EMA load samples
/// with a matching pair), first_stage_model.*, the preview projection, and
/// LdmConfig::toMetadata(). Floating
/// weights are stored as `dtype`. Then checks that LatentDiffusion::load reads it cleanly.
Result<void> exportLdmCheckpoint(const std::string& path, const LdmExportParts& parts,
                                 torch::ScalarType dtype);

} // namespace ldm::train
