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
    m_projIn = register_module("proj_in", nn::Conv2d(nn::Conv2dOptions(c, inner, 1)));
    nn::ModuleList blocks;
    for (int64_t d = 0; d < config.depth; ++d) {
        m_blocks.push_back(BasicTransformerBlock(
            TransformerBlockConfig{inner, config.heads, config.dimHead, config.contextDim}));
        blocks->push_back(m_blocks.back());
    }
    register_module("transformer_blocks", blocks);
    m_projOut = register_module("proj_out", nn::Conv2d(nn::Conv2dOptions(inner, c, 1)));
}

torch::Tensor SpatialTransformerImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    const int64_t b = x.size(0);
    const int64_t h = x.size(2);
    const int64_t w = x.size(3);
    torch::Tensor t = m_projIn->forward(m_norm->forward(x));
    const int64_t inner = t.size(1);
    // 'b c h w -> b (h w) c'
    t = t.permute({0, 2, 3, 1}).reshape({b, h * w, inner});
    for (auto& block : m_blocks)
        t = block->forward(t, context);
    t = t.reshape({b, h, w, inner}).permute({0, 3, 1, 2});
    return m_projOut->forward(t) + x;
}

} // namespace ldm::unet
