// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/autoencoder_kl.h"

namespace ldm {

namespace {

// DiagonalGaussianDistribution clamps logvar so exp() neither underflows nor overflows.
constexpr double LogvarMin = -30.0;
constexpr double LogvarMax = 20.0;

} // namespace

Posterior Posterior::fromMoments(const torch::Tensor& moments)
{
    const auto halves = torch::chunk(moments, 2, 1);
    Posterior posterior;
    posterior.mean = halves[0];
    posterior.logvar = torch::clamp(halves[1], LogvarMin, LogvarMax);
    posterior.std = torch::exp(0.5 * posterior.logvar);
    return posterior;
}

torch::Tensor Posterior::sample(const torch::Tensor& noise) const
{
    return mean + std * noise.to(mean.options());
}

AutoencoderKLImpl::AutoencoderKLImpl(const AutoencoderConfig& config)
    : m_config(config)
{
    const auto& dd = config.ddconfig;
    encoder = register_module("encoder", Encoder(dd));
    decoder = register_module("decoder", Decoder(dd));
    quantConv = register_module("quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                  2 * dd.zChannels, 2 * config.embedDim, 1)));
    postQuantConv = register_module("post_quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                           config.embedDim, dd.zChannels, 1)));
}

torch::Tensor AutoencoderKLImpl::encoderForward(const torch::Tensor& x)
{
    return encoder(x);
}

Posterior AutoencoderKLImpl::encode(const torch::Tensor& x)
{
    return Posterior::fromMoments(quantConv(encoder(x)));
}

torch::Tensor AutoencoderKLImpl::decode(const torch::Tensor& z)
{
    return decoder(postQuantConv(z));
}

} // namespace ldm
