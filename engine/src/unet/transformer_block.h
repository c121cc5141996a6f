// SPDX-License-Identifier: GPL-3.0-or-later
// The transformer pieces of ldm/modules/attention.py: CrossAttention, GEGLU FeedForward and
// BasicTransformerBlock, with CompVis state-dict names.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Options of one CrossAttention layer.
struct CrossAttentionConfig
{
    int64_t queryDim = 0;    ///< query_dim
    int64_t contextDim = -1; ///< context_dim (-1: query_dim, i.e. self-attention)
    int64_t heads = 8;       ///< heads
    int64_t dimHead = 64;    ///< dim_head
};

/// Multi-head attention of x over a context (or itself). Keys: `to_q`, `to_k`, `to_v` (no
/// bias; to_k/to_v take context_dim inputs), `to_out.0` (Linear with bias; `.1` is dropout).
/// Heads are split head-major from the inner width; scores scale by dim_head^(-1/2).
class CrossAttentionImpl : public torch::nn::Module
{
public:
    explicit CrossAttentionImpl(const CrossAttentionConfig& config);

    /// x [B, N, query_dim], context [B, M, context_dim] (undefined: x) -> [B, N, query_dim].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});

private:
    CrossAttentionConfig m_config;
    torch::nn::Linear m_toQ{nullptr};
    torch::nn::Linear m_toK{nullptr};
    torch::nn::Linear m_toV{nullptr};
    torch::nn::Linear m_toOut{nullptr};
};
TORCH_MODULE(CrossAttention);

/// Gated GELU projection: `proj` = Linear(dim -> 2 * inner); value first, gate second,
/// out = value * GELU(gate) with the exact (erf) GELU.
class GEGLUImpl : public torch::nn::Module
{
public:
    GEGLUImpl(int64_t dimIn, int64_t dimOut);
    /// x [..., dim_in] -> [..., dim_out].
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Linear m_proj{nullptr};
};
TORCH_MODULE(GEGLU);

/// FeedForward(dim, mult 4, glu true): `net.0` GEGLU(dim -> 4 dim), `net.1` dropout,
/// `net.2` Linear(4 dim -> dim).
class FeedForwardImpl : public torch::nn::Module
{
public:
    explicit FeedForwardImpl(int64_t dim, int64_t mult = 4);
    /// x [..., dim] -> [..., dim].
    torch::Tensor forward(const torch::Tensor& x);

private:
    GEGLU m_projectIn{nullptr};
    torch::nn::Linear m_projectOut{nullptr};
};
TORCH_MODULE(FeedForward);

/// Options of one BasicTransformerBlock.
struct TransformerBlockConfig
{
    int64_t dim = 0;         ///< dim (the SpatialTransformer's inner width)
    int64_t heads = 8;       ///< n_heads
    int64_t dimHead = 64;    ///< d_head
    int64_t contextDim = -1; ///< context_dim (-1: dim)
    /// disable_self_attn: attn1 attends to the context too (its to_k / to_v read context_dim);
    /// the block keeps both attentions (SD x4 upscaler levels).
    bool disableSelfAttn = false;
};

/// Pre-norm block: x += attn1(LN1 x [, context]); x += attn2(LN2 x, context); x += ff(LN3 x).
/// Keys `attn1`, `ff`, `attn2`, `norm1..3` (LayerNorm eps 1e-5).
class BasicTransformerBlockImpl : public torch::nn::Module
{
public:
    explicit BasicTransformerBlockImpl(const TransformerBlockConfig& config);
    /// x [B, N, dim], context [B, M, context_dim] (undefined: self-attention) -> [B, N, dim].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});

private:
    bool m_disableSelfAttn = false;
    CrossAttention m_attn1{nullptr};
    FeedForward m_ff{nullptr};
    CrossAttention m_attn2{nullptr};
    torch::nn::LayerNorm m_norm1{nullptr};
    torch::nn::LayerNorm m_norm2{nullptr};
    torch::nn::LayerNorm m_norm3{nullptr};
};
TORCH_MODULE(BasicTransformerBlock);

} // namespace ldm::unet
