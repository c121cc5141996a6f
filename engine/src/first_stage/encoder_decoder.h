// SPDX-License-Identifier: GPL-3.0-or-later
// The CompVis autoencoder's Encoder and Decoder (`ldm/modules/diffusionmodules/model.py`),
// shared by AutoencoderKL and VQModel. Module names are the state-dict key components:
// encoder.down.<i>.block.<j>, .attn.<j>, .downsample; mid.block_1/attn_1/block_2;
// decoder.up.<i>.block.<j>, .attn.<j>, .upsample; norm_out, conv_in, conv_out.
#pragma once

#include "first_stage/first_stage_blocks.h"
#include "first_stage/first_stage_config.h"

#include <torch/torch.h>

#include <vector>

namespace ldm {

/// One resolution level: `block` (ResnetBlocks), `attn` (one AttnBlock per block when the
/// level has attention) and an optional `downsample` (encoder) or `upsample` (decoder).
class FirstStageLevelImpl : public torch::nn::Module
{
public:
    /// `numBlocks` ResnetBlocks from `inChannels` to `outChannels`; `withAttention` adds an
    /// AttnBlock after each; `resample` is "downsample", "upsample" or "" (none).
    FirstStageLevelImpl(int64_t inChannels, int64_t outChannels, int64_t numBlocks,
                        bool withAttention, const std::string& resample);

    /// Blocks (each followed by its attention, if any), then the resampler, if any.
    torch::Tensor forward(torch::Tensor x);

    std::vector<ResnetBlock> blocks;          ///< `block.<j>`
    std::vector<AttnBlock> attns;             ///< `attn.<j>`; empty when the level has no attention
    FirstStageDownsample downsample{nullptr}; ///< `downsample`; null on the encoder's last level
    FirstStageUpsample upsample{nullptr};     ///< `upsample`; null on the decoder's level 0
};
TORCH_MODULE(FirstStageLevel);

/// `mid`: block_1, attn_1 (absent when attn_type is none), block_2.
class FirstStageMidImpl : public torch::nn::Module
{
public:
    FirstStageMidImpl(int64_t channels, bool withAttention);
    /// block_2(attn_1(block_1(x))).
    torch::Tensor forward(const torch::Tensor& x);

    ResnetBlock block1{nullptr}; ///< `block_1`
    AttnBlock attn1{nullptr};    ///< `attn_1`; null when attn_type is none
    ResnetBlock block2{nullptr}; ///< `block_2`
};
TORCH_MODULE(FirstStageMid);

/// Image → latent moments: [B, in_channels, H, W] → [B, encoderOutChannels, H/f, W/f]
/// (f = 2^(levels−1); sizes that are not multiples of f are floored level by level).
class EncoderImpl : public torch::nn::Module
{
public:
    /// The config must have passed DDConfig::validate().
    explicit EncoderImpl(const DDConfig& config);
    /// conv_in, levels (down.0 first), mid, norm_out, SiLU, conv_out.
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Conv2d convIn{nullptr};     ///< `conv_in`
    std::vector<FirstStageLevel> down;     ///< `down.<i>`, highest resolution first
    FirstStageMid mid{nullptr};            ///< `mid`
    torch::nn::GroupNorm normOut{nullptr}; ///< `norm_out`
    torch::nn::Conv2d convOut{nullptr};    ///< `conv_out`
};
TORCH_MODULE(Encoder);

/// Latent → image: [B, z_channels, h, w] → [B, out_ch, h·f, w·f]. No skip connections.
class DecoderImpl : public torch::nn::Module
{
public:
    /// The config must have passed DDConfig::validate().
    explicit DecoderImpl(const DDConfig& config);
    /// conv_in, mid, levels from up.<L−1> (lowest resolution) to up.0, norm_out, SiLU, conv_out.
    torch::Tensor forward(const torch::Tensor& z);

    torch::nn::Conv2d convIn{nullptr};     ///< `conv_in`
    FirstStageMid mid{nullptr};            ///< `mid`
    std::vector<FirstStageLevel> up;       ///< `up.<i>`; up[0] is the full-resolution level
    torch::nn::GroupNorm normOut{nullptr}; ///< `norm_out`
    torch::nn::Conv2d convOut{nullptr};    ///< `conv_out`
};
TORCH_MODULE(Decoder);

} // namespace ldm
