// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/transformer_block.h"

#include "unet/attention_ops.h"

#include <cmath>

namespace ldm::unet {

namespace nn = torch::nn;

CrossAttentionImpl::CrossAttentionImpl(const CrossAttentionConfig& config)
    : m_config(config)
{
    const int64_t inner = config.heads * config.dimHead;
    const int64_t contextDim = config.contextDim < 0 ? config.queryDim : config.contextDim;
    m_toQ =
        register_module("to_q", nn::Linear(nn::LinearOptions(config.queryDim, inner).bias(false)));
    m_toK = register_module("to_k", nn::Linear(nn::LinearOptions(contextDim, inner).bias(false)));
    m_toV = register_module("to_v", nn::Linear(nn::LinearOptions(contextDim, inner).bias(false)));
    m_toOut = nn::Linear(inner, config.queryDim);
    nn::Sequential toOut;
    toOut->push_back(m_toOut);
    toOut->push_back(nn::Dropout(0.0));
    register_module("to_out", toOut);
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context)
{
    const torch::Tensor& source = context.defined() ? context : x;
    const int64_t heads = m_config.heads;
    const int64_t dimHead = m_config.dimHead;
    // [B, T, heads * d] -> [B * heads, T, d]: the inner width is head-major.
    const auto splitHeads = [&](const torch::Tensor& t) {
        return t.reshape({t.size(0), t.size(1), heads, dimHead})
            .permute({0, 2, 1, 3})
            .reshape({t.size(0) * heads, t.size(1), dimHead});
    };
    const torch::Tensor q = splitHeads(m_toQ->forward(x));
    const torch::Tensor k = splitHeads(m_toK->forward(source));
    const torch::Tensor v = splitHeads(m_toV->forward(source));
    const double scale = 1.0 / std::sqrt(static_cast<double>(dimHead));
    const torch::Tensor out = scaledDotProductAttention(q, k, v, scale);
    const int64_t batch = x.size(0);
    const int64_t tokens = x.size(1);
    return m_toOut->forward(out.reshape({batch, heads, tokens, dimHead})
                                .permute({0, 2, 1, 3})
                                .reshape({batch, tokens, heads * dimHead}));
}

GEGLUImpl::GEGLUImpl(int64_t dimIn, int64_t dimOut)
{
    m_proj = register_module("proj", nn::Linear(dimIn, 2 * dimOut));
}

torch::Tensor GEGLUImpl::forward(const torch::Tensor& x)
{
    const auto parts = m_proj->forward(x).chunk(2, -1);
    return parts[0] * torch::gelu(parts[1]);
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult)
{
    const int64_t inner = dim * mult;
    m_projectIn = GEGLU(dim, inner);
    m_projectOut = nn::Linear(inner, dim);
    nn::Sequential net;
    net->push_back(m_projectIn);
    net->push_back(nn::Dropout(0.0));
    net->push_back(m_projectOut);
    register_module("net", net);
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x)
{
    return m_projectOut->forward(m_projectIn->forward(x));
}

BasicTransformerBlockImpl::BasicTransformerBlockImpl(const TransformerBlockConfig& config)
    : m_disableSelfAttn(config.disableSelfAttn)
{
    const int64_t attn1Context = config.disableSelfAttn ? config.contextDim : -1;
    m_attn1 = register_module("attn1", CrossAttention(CrossAttentionConfig{
                                           config.dim, attn1Context, config.heads, config.dimHead}));
    m_ff = register_module("ff", FeedForward(config.dim));
    m_attn2 =
        register_module("attn2", CrossAttention(CrossAttentionConfig{
                                     config.dim, config.contextDim, config.heads, config.dimHead}));
    const auto layerNorm = [&] {
        return nn::LayerNorm(nn::LayerNormOptions({config.dim}).eps(1e-5));
    };
    m_norm1 = register_module("norm1", layerNorm());
    m_norm2 = register_module("norm2", layerNorm());
    m_norm3 = register_module("norm3", layerNorm());
}

torch::Tensor BasicTransformerBlockImpl::forward(const torch::Tensor& x,
                                                 const torch::Tensor& context)
{
    torch::Tensor h =
        m_attn1->forward(m_norm1->forward(x), m_disableSelfAttn ? context : torch::Tensor()) + x;
    h = m_attn2->forward(m_norm2->forward(h), context) + h;
    return m_ff->forward(m_norm3->forward(h)) + h;
}

} // namespace ldm::unet
