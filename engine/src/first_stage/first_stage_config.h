// SPDX-License-Identifier: GPL-3.0-or-later
// Hyper-parameters of the CompVis first-stage autoencoders (AutoencoderKL and VQModel).
//
// The field names mirror the YAML keys of `first_stage_config.params` so that a config read from
// a CompVis .yaml (converted to JSON) or from safetensors metadata round-trips unchanged.
#pragma once

#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ldm {

/// Attention used at the attention resolutions and in the middle blocks.
enum class AttnType {
    Vanilla, ///< `vanilla`: single-head AttnBlock
    None,    ///< `none`: identity, so no attention parameters exist at all
};

/// Encoder/Decoder configuration (`ddconfig` in the CompVis YAML).
struct DDConfig
{
    bool doubleZ = true;                     ///< `double_z`: encoder emits 2·z_channels (KL)
    int64_t zChannels = 4;                   ///< `z_channels`
    int64_t resolution = 256;                ///< `resolution`: places attention, not input size
    int64_t inChannels = 3;                  ///< `in_channels`
    int64_t outCh = 3;                       ///< `out_ch`
    int64_t ch = 128;                        ///< `ch`: base channel count
    std::vector<int64_t> chMult{1, 2, 4, 8}; ///< `ch_mult`: one entry per resolution level
    int64_t numResBlocks = 2;                ///< `num_res_blocks` (decoder uses one more)
    std::vector<int64_t> attnResolutions;    ///< `attn_resolutions`: nominal sizes with attention
    double dropout = 0.0;                  ///< `dropout`: identity at inference, kept to round-trip
    AttnType attnType = AttnType::Vanilla; ///< `attn_type`

    /// Number of resolution levels (size of ch_mult).
    int64_t numLevels() const { return static_cast<int64_t>(chMult.size()); }
    /// Spatial factor between image and latent: 2^(levels − 1).
    int64_t downFactor() const { return int64_t{1} << (numLevels() - 1); }
    /// Channels the encoder emits (2·z_channels when double_z).
    int64_t encoderOutChannels() const { return doubleZ ? 2 * zChannels : zChannels; }
    /// Whether a level whose nominal size is `currRes` gets attention blocks. The nominal size
    /// starts at `resolution` and halves per level, whatever the real input size is.
    bool hasAttentionAt(int64_t currRes) const;

    /// Checks every value; the error names the YAML key and what would be accepted.
    Result<void> validate() const;
    /// Reads a `ddconfig` object. Keys that CompVis requires must be present; architecture
    /// switches this port does not implement (linear attention, tanh_out, ...) are rejected;
    /// unknown keys are ignored.
    static Result<DDConfig> fromJson(const nlohmann::json& json);
    /// The `ddconfig` object with CompVis key names.
    nlohmann::json toJson() const;
};

/// A whole first stage: `first_stage_config.params` of an LDM YAML.
struct AutoencoderConfig
{
    DDConfig ddconfig;    ///< `ddconfig`
    int64_t embedDim = 4; ///< `embed_dim`: latent channels seen by the diffusion model
    int64_t nEmbed = 0;   ///< `n_embed`: VQ codebook size; 0 means AutoencoderKL

    /// True for a VQModel (n_embed > 0).
    bool isVq() const { return nEmbed > 0; }

    /// Checks ddconfig and the KL/VQ specific constraints (double_z true for KL, false for VQ).
    Result<void> validate() const;
    /// Reads `{"ddconfig": {...}, "embed_dim": n, "n_embed": n}`; other keys (lossconfig,
    /// monitor, ckpt_path, ...) are ignored. Validates the result.
    static Result<AutoencoderConfig> fromJson(const nlohmann::json& params);
    /// Reads the string metadata of a weight file (`ddconfig`, `embed_dim`, `n_embed`, each a
    /// JSON text), as written by the parity fixtures and by our own exporter.
    static Result<AutoencoderConfig> fromMetadata(const std::map<std::string, std::string>& meta);
    /// `{"ddconfig": {...}, "embed_dim": n}` plus `n_embed` for VQ.
    nlohmann::json toJson() const;
};

/// The YAML spelling of an attention type ("vanilla", "none").
const char* attnTypeName(AttnType type);

} // namespace ldm
