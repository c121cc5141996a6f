// SPDX-License-Identifier: GPL-3.0-or-later
// Hyper-parameters of the CompVis UNetModel (ldm/modules/diffusionmodules/openaimodel.py),
// spelled as in the YAML `unet_config.params` so a config file maps one to one.
#pragma once

#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace ldm {

/// Head layout of one attention layer: `heads` heads of `headDim` channels each.
struct AttentionHeads
{
    int64_t heads = 1;
    int64_t headDim = 1;
};

/// The UNetModel constructor arguments. Defaults are the reference defaults.
struct UNetConfig
{
    /// `image_size`: latent size the model was trained at; informative only.
    int64_t imageSize = 0;
    /// `in_channels`: latent channels plus any concatenated conditioning channels.
    int64_t inChannels = 4;
    /// `out_channels`: channels of the predicted noise.
    int64_t outChannels = 4;
    /// `model_channels`: base width; the time embedding is 4x this.
    int64_t modelChannels = 64;
    /// `attention_resolutions`: downsampling factors (1, 2, 4, ...) that get attention.
    std::vector<int64_t> attentionResolutions;
    /// `num_res_blocks`: ResBlocks per level on the way down (one more on the way up).
    int64_t numResBlocks = 2;
    /// `channel_mult`: per-level width multipliers; the first must be 1.
    std::vector<int64_t> channelMult{1, 2, 4, 8};
    /// `num_heads`: fixed head count (-1: derive from num_head_channels).
    int64_t numHeads = -1;
    /// `num_head_channels`: fixed head width (-1: use num_heads); wins over num_heads.
    int64_t numHeadChannels = -1;
    /// `num_heads_upsample`: head count of decoder AttentionBlocks (-1: num_heads).
    int64_t numHeadsUpsample = -1;
    /// `use_spatial_transformer`: SpatialTransformer (cross-attention) instead of AttentionBlock.
    bool useSpatialTransformer = false;
    /// `transformer_depth`: BasicTransformerBlocks per SpatialTransformer.
    int64_t transformerDepth = 1;
    /// `use_linear_in_transformer` (SD-2.x): proj_in / proj_out are Linear, not 1x1 convs.
    bool useLinearInTransformer = false;
    /// `context_dim`: width of the cross-attention context; required by the spatial transformer.
    std::optional<int64_t> contextDim;
    /// `legacy`: the reference's old head-width rule (changes AttentionBlock heads only).
    bool legacy = true;
    /// `use_scale_shift_norm`: ResBlocks apply the embedding as FiLM scale and shift.
    bool useScaleShiftNorm = false;
    /// `resblock_updown`: resample with parameter-free ResBlocks instead of Down/Upsample.
    bool resblockUpdown = false;
    /// `use_new_attention_order`: QKVAttention (q, k, v split first) instead of the legacy order.
    bool useNewAttentionOrder = false;
    /// `disable_self_attentions` (Stability's UNet): per level, True makes that level's
    /// transformer blocks' first attention attend to the context instead of to themselves
    /// (the block keeps both attentions). Empty: self-attention everywhere.
    std::vector<bool> disableSelfAttentions;
    /// `disable_middle_self_attn`: the same for the middle block's transformer.
    bool disableMiddleSelfAttn = false;
    /// `num_classes`: class-conditional model with a `label_emb` table of this many rows.
    std::optional<int64_t> numClasses;
    /// `dropout`: accepted for completeness; inference never drops.
    double dropout = 0.0;
    /// `conv_resample`: Down/Upsample use a 3x3 conv (else average pool / plain nearest).
    bool convResample = true;
    /// `dims`: spatial dimensions; only 2 is supported.
    int64_t dims = 2;
    /// `use_checkpoint`: gradient checkpointing in the reference; accepted and ignored.
    bool useCheckpoint = false;
    /// `use_fp16`: reference mixed precision switch; accepted and ignored (dtype is chosen
    /// by converting the module).
    bool useFp16 = false;

    /// Reads the YAML/JSON kwargs. Unknown keys are rejected (the reference constructor would
    /// reject them too), then validate() runs. Never throws.
    static Result<UNetConfig> fromJson(const nlohmann::json& json);
    /// The config as CompVis kwargs (round-trips through fromJson).
    nlohmann::json toJson() const;

    /// Checks everything the reference asserts or that would fail later inside a forward pass
    /// (GroupNorm widths, head splits, context_dim), with a message naming the key.
    Result<void> validate() const;

    /// Width of the time embedding (`time_embed_dim` = 4 * model_channels).
    int64_t timeEmbedDim() const { return 4 * modelChannels; }
    /// Number of resolution levels (`len(channel_mult)`).
    int64_t levels() const { return static_cast<int64_t>(channelMult.size()); }
    /// Whether the level with running downsampling factor `ds` gets attention.
    bool hasAttentionAt(int64_t ds) const;
    /// The `disable_self_attentions` entry of `level` (false when the list is empty).
    bool selfAttentionDisabled(int64_t level) const
    {
        return level >= 0 && size_t(level) < disableSelfAttentions.size() &&
               disableSelfAttentions[size_t(level)];
    }
    /// Heads of an attention layer at `channels`, exactly as the reference derives them
    /// (num_heads vs num_head_channels, legacy, num_heads_upsample for `decoder` blocks).
    /// Fails when the reference would assert or the split is degenerate.
    Result<AttentionHeads> attentionHeads(int64_t channels, bool decoder) const;
};

} // namespace ldm
