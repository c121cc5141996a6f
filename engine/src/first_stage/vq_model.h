// SPDX-License-Identifier: GPL-3.0-or-later
// VQModelInterface (`ldm/models/autoencoder.py`) with taming's VectorQuantizer2
// (`taming/modules/vqvae/quantize.py`, legacy, no remap, sane_index_shape false).
// State-dict names: encoder.*, decoder.*, quant_conv.*, post_quant_conv.*,
// quantize.embedding.weight.
#pragma once

#include "first_stage/encoder_decoder.h"
#include "first_stage/first_stage_config.h"

#include <torch/torch.h>

namespace ldm {

/// Result of nearest-codebook quantisation.
struct Quantized
{
    torch::Tensor zq;      ///< [B, embed_dim, H, W], codebook rows (straight-through form)
    torch::Tensor indices; ///< int64 [B·H·W], pixel order (b, y, x)
};

/// The codebook `embedding` [n_embed, embed_dim] and the nearest-row lookup.
class VectorQuantizerImpl : public torch::nn::Module
{
public:
    VectorQuantizerImpl(int64_t nEmbed, int64_t embedDim);

    /// For each pixel of `h` [B, embed_dim, H, W], the codebook row with the smallest
    /// ‖z‖² + ‖e‖² − 2 z·e (computed in float32, first minimum on ties). z_q is returned as
    /// z + (e[idx] − z) in h's dtype, as the reference does, so results match it bit for bit.
    Quantized forward(const torch::Tensor& h);

    /// Codebook rows for `indices` (any shape) → [..., embed_dim].
    torch::Tensor lookup(const torch::Tensor& indices);

    torch::nn::Embedding embedding{nullptr}; ///< `embedding`
};
TORCH_MODULE(VectorQuantizer);

/// The vector-quantised autoencoder as LDM uses it: encode() does NOT quantise (that continuous
/// tensor is the diffusion latent); decode() quantises unless told not to.
/// The config must have passed AutoencoderConfig::validate() with n_embed > 0.
class VQModelImpl : public torch::nn::Module
{
public:
    explicit VQModelImpl(const AutoencoderConfig& config);

    /// quant_conv(encoder(x)): [B, in_channels, H, W] → [B, embed_dim, H/f, W/f].
    torch::Tensor encode(const torch::Tensor& x);
    /// Nearest-codebook quantisation of a latent (see VectorQuantizerImpl::forward).
    Quantized quantize(const torch::Tensor& h);
    /// decoder(post_quant_conv(quantize(h).zq)), or without quantisation when
    /// `forceNotQuantize`: [B, embed_dim, h, w] → [B, out_ch, h·f, w·f].
    torch::Tensor decode(const torch::Tensor& h, bool forceNotQuantize = false);

    const AutoencoderConfig& config() const { return m_config; }

    Encoder encoder{nullptr};                 ///< `encoder`
    Decoder decoder{nullptr};                 ///< `decoder`
    torch::nn::Conv2d quantConv{nullptr};     ///< `quant_conv`, 1×1, z_channels → embed_dim
    torch::nn::Conv2d postQuantConv{nullptr}; ///< `post_quant_conv`, 1×1, embed_dim → z_channels
    VectorQuantizer quantizer{nullptr};       ///< `quantize`

private:
    AutoencoderConfig m_config;
};
TORCH_MODULE(VQModel);

} // namespace ldm
