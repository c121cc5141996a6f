// SPDX-License-Identifier: GPL-3.0-or-later
// A loaded latent diffusion checkpoint: the networks it holds, its schedule and its config.
//
// Usage:
//     auto model = LatentDiffusion::load("model.safetensors", {});   // Result<LatentDiffusion>
//     if (!model) report(model.error().message);                     // names every bad key
//     c10::InferenceMode guard;                                      // per thread
//     auto eps = model->unet()->forward(x, t, context);
//
// A file may hold any subset of the parts (a standalone autoencoder, a UNet alone, ...);
// the accessors say which are present. Copies share the networks.
#pragma once

#include "checkpoint/ldm_config.h"
#include "checkpoint/load_plan.h"
#include "conditioning/class_embedder.h"
#include "conditioning/spatial_rescaler.h"
#include "conditioning/text_encoder.h"
#include "core/state_dict.h"
#include "first_stage/first_stage.h"
#include "sampling/noise_schedule.h"
#include "unet/unet_model.h"

#include <optional>
#include <string>

namespace ldm {

class LatentDiffusion {
public:
    /// Opens a safetensors or PyTorch checkpoint, works out its configuration (a config.yaml
    /// beside it is found as findConfigBeside() says) and loads every part.
    /// A mismatch fails with WeightsMismatch naming each missing, unexpected and mis-shaped
    /// key per part; an unreadable file fails with InvalidFile. Never throws.
    static Result<LatentDiffusion> load(const std::string& path, const LoadOptions& options = {});
    /// Same from tensors already in memory with their metadata (several files merged).
    static Result<LatentDiffusion> fromTensors(const io::TensorMap& tensors,
                                               const std::map<std::string, std::string>& metadata,
                                               const LoadOptions& options = {});
    /// Builds the networks a plan (planLoad()) describes and loads them from the tensors the
    /// plan was made from; errors as load().
    static Result<LatentDiffusion> fromPlan(const LoadPlan& plan, const io::TensorMap& tensors);
    /// Builds freshly initialised networks for a config (for training).
    static Result<LatentDiffusion> create(const LdmConfig& config);

    const LdmConfig& config() const { return m_config; }
    const NoiseSchedule& schedule() const { return m_schedule; }
    double scaleFactor() const { return m_scaleFactor; }
    /// True when the UNet runs on the EMA weights of the file.
    bool usesEma() const { return m_weights.useEma; }
    /// True when the file has `model_ema.*` weights.
    bool hasEma() const { return m_weights.hasEma; }
    /// Which UNet weights sample and why (LoadPlan::weights).
    const WeightChoice& weightChoice() const { return m_weights; }
    /// The config.yaml the model was built from ("" when none), and its source in words.
    const std::string& configPath() const { return m_configPath; }
    const std::string& configSource() const { return m_configSource; }

    // Holders are returned by value: copies share the network, and forward() is non-const.
    UNetModel unet() const { return m_unet; }                   ///< null when absent
    const std::optional<FirstStage>& firstStage() const { return m_firstStage; }
    BertEmbedder textEncoder() const { return m_text; }         ///< null when absent
    ClipTextEncoder clipTextEncoder() const { return m_clip; }  ///< null when absent
    OpenClipTextEncoder openClipTextEncoder() const { return m_openClip; } ///< null when absent
    /// True when the model takes a prompt through a text encoder (BERT, CLIP or OpenCLIP).
    bool takesText() const
    {
        return !m_text.is_empty() || !m_clip.is_empty() || !m_openClip.is_empty();
    }
    /// Token ids [B, n] -> cross-attention context [B, n, dim] through whichever text encoder
    /// the model has. clipSkip (1 = last layer) applies to CLIP; OpenCLIP reads the layer its
    /// config names (SD-2.x: penultimate); BERT has no such choice.
    /// Throws (c10::Error) like the modules do; call only when takesText().
    torch::Tensor encodeTokens(const torch::Tensor& tokens, int64_t clipSkip = 1) const;
    /// CLIP and OpenCLIP only: the token embeddings of ids [B, n] -> [B, n, width], where
    /// textual-inversion vectors go; then encodeTokenEmbeddings() as encodeTokens() goes on.
    /// Throws (c10::Error) for other text encoders.
    torch::Tensor tokenEmbeddings(const torch::Tensor& tokens) const;
    torch::Tensor encodeTokenEmbeddings(const torch::Tensor& embeddings, int64_t clipSkip = 1) const;
    ClassEmbedder classEmbedder() const { return m_class; }     ///< null when absent
    /// The SD x4 upscaler's noise augmentation of its low-resolution input; absent otherwise.
    const std::optional<LowScaleAugmentation>& lowScale() const { return m_lowScale; }
    SpatialRescaler rescaler() const { return m_rescaler; }     ///< null when absent

    /// Number of parameters over all parts.
    int64_t parameterCount() const;
    /// All parts' parameters and buffers under their CompVis names (for saving).
    io::TensorMap stateDict() const;
    /// Moves every part to a device and dtype.
    void to(torch::Device device, torch::ScalarType dtype = torch::kFloat32);

private:
    LdmConfig m_config;
    NoiseSchedule m_schedule;
    double m_scaleFactor = 1.0;
    WeightChoice m_weights;
    std::string m_configPath;
    std::string m_configSource;
    UNetModel m_unet{nullptr};
    std::optional<FirstStage> m_firstStage;
    BertEmbedder m_text{nullptr};
    ClipTextEncoder m_clip{nullptr};
    OpenClipTextEncoder m_openClip{nullptr};
    ClassEmbedder m_class{nullptr};
    SpatialRescaler m_rescaler{nullptr};
    std::optional<LowScaleAugmentation> m_lowScale;
};

/// Weights of the UNet taken from the dot-less `model_ema.*` names of a checkpoint, keyed by
/// the ordinary `model.diffusion_model.*` names. Errors when two names collide or one is absent.
Result<io::TensorMap> emaWeightsFor(const torch::nn::Module& unet, const io::TensorMap& tensors);

} // namespace ldm
