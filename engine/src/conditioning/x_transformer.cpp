// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/x_transformer.h"

#include <cmath>

namespace ldm::xtransformer {

namespace {

// x-transformers builds every norm as nn.LayerNorm(dim): eps 1e-5, elementwise affine.
torch::nn::LayerNorm makeLayerNorm(int64_t dim)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-5));
}

} // namespace

AbsolutePositionalEmbeddingImpl::AbsolutePositionalEmbeddingImpl(int64_t dim, int64_t maxSeqLen)
{
    m_emb = register_module("emb", torch::nn::Embedding(maxSeqLen, dim));
}

torch::Tensor AbsolutePositionalEmbeddingImpl::forward(int64_t length)
{
    TORCH_CHECK(length <= m_emb->weight.size(0), "sequence of ", length,
                " tokens is longer than max_seq_len ", m_emb->weight.size(0));
    return m_emb->weight.narrow(0, 0, length).unsqueeze(0);
}

AttentionImpl::AttentionImpl(int64_t dim, int64_t heads, int64_t dimHead)
    : m_heads(heads)
    , m_dimHead(dimHead)
{
    const int64_t inner = heads * dimHead;
    m_toQ = register_module("to_q",
                            torch::nn::Linear(torch::nn::LinearOptions(dim, inner).bias(false)));
    m_toK = register_module("to_k",
                            torch::nn::Linear(torch::nn::LinearOptions(dim, inner).bias(false)));
    m_toV = register_module("to_v",
                            torch::nn::Linear(torch::nn::LinearOptions(dim, inner).bias(false)));
    m_toOut = register_module("to_out", torch::nn::Linear(inner, dim));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x)
{
    const int64_t batch = x.size(0);
    const int64_t length = x.size(1);
    // 'b n (h d) -> b h n d': the inner width is split head-major.
    auto split = [&](const torch::Tensor& t) {
        return t.view({batch, length, m_heads, m_dimHead}).transpose(1, 2);
    };
    const torch::Tensor q = split(m_toQ->forward(x));
    const torch::Tensor k = split(m_toK->forward(x));
    const torch::Tensor v = split(m_toV->forward(x));
    // Scale after the product, as the reference does, to keep its rounding.
    const double scale = 1.0 / std::sqrt(double(m_dimHead));
    const torch::Tensor attn = (torch::matmul(q, k.transpose(-1, -2)) * scale).softmax(-1);
    const torch::Tensor out =
        torch::matmul(attn, v).transpose(1, 2).reshape({batch, length, m_heads * m_dimHead});
    return m_toOut->forward(out);
}

ProjectInImpl::ProjectInImpl(int64_t dim, int64_t inner)
{
    m_linear = register_module("0", torch::nn::Linear(dim, inner));
    // Exact (erf) GELU, as nn.GELU() in the reference.
    m_gelu = register_module("1", torch::nn::GELU(torch::nn::GELUOptions().approximate("none")));
}

torch::Tensor ProjectInImpl::forward(const torch::Tensor& x)
{
    return m_gelu->forward(m_linear->forward(x));
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t mult)
{
    const int64_t inner = dim * mult;
    // Dropout(0) keeps the Python indices: the second Linear is net.2.
    m_net =
        register_module("net", torch::nn::Sequential(ProjectIn(dim, inner), torch::nn::Dropout(0.0),
                                                     torch::nn::Linear(inner, dim)));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x)
{
    return m_net->forward(x);
}

AttentionLayersImpl::AttentionLayersImpl(const TransformerWrapperConfig& config)
{
    m_layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.depth; ++i) {
        torch::nn::ModuleList attnLayer;
        m_attnNorms.push_back(makeLayerNorm(config.dim));
        m_attns.emplace_back(config.dim, config.heads, config.dimHead);
        attnLayer->push_back(m_attnNorms.back());
        attnLayer->push_back(m_attns.back());
        m_layers->push_back(attnLayer);

        torch::nn::ModuleList ffLayer;
        m_ffNorms.push_back(makeLayerNorm(config.dim));
        m_ffs.emplace_back(config.dim, config.ffMult);
        ffLayer->push_back(m_ffNorms.back());
        ffLayer->push_back(m_ffs.back());
        m_layers->push_back(ffLayer);
    }
}

torch::Tensor AttentionLayersImpl::forward(torch::Tensor x)
{
    for (size_t i = 0; i < m_attns.size(); ++i) {
        x = m_attns[i]->forward(m_attnNorms[i]->forward(x)) + x;
        x = m_ffs[i]->forward(m_ffNorms[i]->forward(x)) + x;
    }
    return x;
}

TransformerWrapperImpl::TransformerWrapperImpl(const TransformerWrapperConfig& config)
    : m_config(config)
{
    m_tokenEmb = register_module("token_emb", torch::nn::Embedding(config.numTokens, config.dim));
    m_posEmb =
        register_module("pos_emb", AbsolutePositionalEmbedding(config.dim, config.maxSeqLen));
    m_attnLayers = register_module("attn_layers", AttentionLayers(config));
    m_norm = register_module("norm", makeLayerNorm(config.dim));
    m_toLogits = register_module("to_logits", torch::nn::Linear(config.dim, config.numTokens));
}

torch::Tensor TransformerWrapperImpl::forward(const torch::Tensor& tokens)
{
    TORCH_CHECK(tokens.dim() == 2, "text encoder expects token ids [B, n], got ", tokens.sizes());
    torch::Tensor x = m_tokenEmb->forward(tokens.to(m_tokenEmb->weight.device(), torch::kLong)) +
                      m_posEmb->forward(tokens.size(1));
    x = m_attnLayers->forward(x);
    return m_norm->forward(x);
}

} // namespace ldm::xtransformer
