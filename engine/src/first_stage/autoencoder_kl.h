// SPDX-License-Identifier: GPL-3.0-or-later
// AutoencoderKL (`ldm/models/autoencoder.py`) and its DiagonalGaussianDistribution posterior.
// State-dict names: encoder.*, decoder.*, quant_conv.*, post_quant_conv.* (a CompVis LDM
// checkpoint stores them under `first_stage_model.`).
#pragma once

#include "first_stage/encoder_decoder.h"
#include "first_stage/first_stage_config.h"

#include <torch/torch.h>

namespace ldm {

/// The diagonal Gaussian q(z|x) returned by AutoencoderKL::encode.
struct Posterior
{
    torch::Tensor mean;   ///< [B, embed_dim, h, w]
    torch::Tensor logvar; ///< clamped to [−30, 20] like the reference
    torch::Tensor std;    ///< exp(0.5 · logvar)

    /// Splits quant_conv output [B, 2·embed_dim, h, w] into mean (first half) and logvar.
    static Posterior fromMoments(const torch::Tensor& moments);
    /// mean + std · noise; `noise` is standard normal with the shape of `mean`. The noise is a
    /// parameter so the caller decides where randomness comes from (one seed, any device).
    torch::Tensor sample(const torch::Tensor& noise) const;
    /// The mode (= mean), for deterministic encodings.
    const torch::Tensor& mode() const { return mean; }
};

/// The KL-regularised autoencoder. The config must have passed AutoencoderConfig::validate()
/// with n_embed 0 (FirstStage::create does that; constructing directly skips the checks).
class AutoencoderKLImpl : public torch::nn::Module
{
public:
    explicit AutoencoderKLImpl(const AutoencoderConfig& config);

    /// encoder(x): [B, in_channels, H, W] → [B, 2·z_channels, H/f, W/f] (images in [−1, 1]).
    torch::Tensor encoderForward(const torch::Tensor& x);
    /// quant_conv(encoder(x)) split into the posterior.
    Posterior encode(const torch::Tensor& x);
    /// decoder(post_quant_conv(z)): [B, embed_dim, h, w] → [B, out_ch, h·f, w·f], in about
    /// [−1, 1]. `z` is the unscaled latent (divide an LDM latent by scale_factor first).
    torch::Tensor decode(const torch::Tensor& z);

    const AutoencoderConfig& config() const { return m_config; }

    Encoder encoder{nullptr};             ///< `encoder`
    Decoder decoder{nullptr};             ///< `decoder`
    torch::nn::Conv2d quantConv{nullptr}; ///< `quant_conv`, 1×1, 2·z_channels → 2·embed_dim
    torch::nn::Conv2d postQuantConv{nullptr}; ///< `post_quant_conv`, 1×1, embed_dim → z_channels

private:
    AutoencoderConfig m_config;
};
TORCH_MODULE(AutoencoderKL);

} // namespace ldm
