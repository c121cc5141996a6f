// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/spatial_transformer.h"

namespace ldm::unet {

namespace nn = torch::nn;

SpatialTransformerImpl::SpatialTransformerImpl(const SpatialTransformerConfig& config)
    : m_config(config)
{
    const int64_t c = config.channels;
    const int64_t inner = config.heads * config.dimHead;
    m_norm = register_module("norm", GroupNormF32(GroupNormConfig{c, 1e-6}));
    if (config.linear)
        m_linearIn = register_module("proj_in", nn::Linear(c, inner));
    else
        m_projIn = register_module("proj_in", nn::Conv2d(nn::Conv2dOptions(c, inner, 1)));
    nn::ModuleList blocks;
    for (int64_t d = 0; d < config.depth; ++d) {
        m_blocks.push_back(BasicTransformerBlock(
            TransformerBlockConfig{inner, config.heads, config.dimHead, config.contextDim,
                                   config.disableSelfAttn}));
        blocks->push_back(m_blocks.back());
    }
    register_module("transformer_blocks", blocks);
    // The reference builds the linear proj_out as Linear(in_channels, inner_dim): the same
    // shape, since inner = heads * d_head = channels in every model that uses it.
    if (config.linear)
        m_linearOut = register_module("proj_out", nn::Linear(inner, c));
    else
        m_projOut = register_module("proj_out", nn::Conv2d(nn::Conv2dOptions(inner, c, 1)));
}

torch::Tensor SpatialTransformerImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    const int64_t b = x.size(0);
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    const auto toTokens = [&](const torch::Tensor& image) {
        return image.permute({0, 2, 3, 1}).reshape({b, h * w, image.size(1)}); // b (h w) c
    };
    const auto toImage = [&](const torch::Tensor& tokens) {
        return tokens.reshape({b, h, w, tokens.size(2)}).permute({0, 3, 1, 2});
    };
    // Order as the reference: norm → proj_in → tokens (conv) or tokens → proj_in (linear).
    torch::Tensor t = m_config.linear ? m_linearIn->forward(toTokens(m_norm->forward(x)))
                                      : toTokens(m_projIn->forward(m_norm->forward(x)));
    for (auto& block : m_blocks)
        t = block->forward(t, context);
    if (m_config.linear)
        return toImage(m_linearOut->forward(t)) + x;
    return m_projOut->forward(toImage(t)) + x;
}

} // namespace ldm::unet
