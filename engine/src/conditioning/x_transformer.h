// SPDX-License-Identifier: GPL-3.0-or-later
// The parts of x-transformers (CompVis ldm/modules/x_transformer.py) that the LDM text
// encoders use: TransformerWrapper around an Encoder with the library defaults: pre-norm,
// learned absolute positions, no mask, no rotary/relative positions, no memory tokens.
// Submodule names are the PyTorch attribute names, so state-dict keys match one to one.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ldm::xtransformer {

/// Shape of a TransformerWrapper(num_tokens, max_seq_len, attn_layers=Encoder(dim, depth)).
struct TransformerWrapperConfig
{
    int64_t numTokens = 30522; ///< num_tokens: vocabulary size (token_emb and to_logits)
    int64_t maxSeqLen = 77;    ///< max_seq_len: rows of pos_emb.emb
    int64_t dim = 1280;        ///< dim: model width
    int64_t depth = 32;        ///< depth: number of (attention, feed-forward) pairs
    int64_t heads = 8;         ///< heads (library default)
    int64_t dimHead = 64;      ///< dim_head (library default): inner width heads * dimHead
    int64_t ffMult = 4;        ///< FeedForward mult (library default)
};

/// Learned position vectors; key `emb.weight [max_seq_len, dim]`.
class AbsolutePositionalEmbeddingImpl : public torch::nn::Module
{
public:
    AbsolutePositionalEmbeddingImpl(int64_t dim, int64_t maxSeqLen);
    /// The first `length` position vectors, [1, length, dim].
    torch::Tensor forward(int64_t length);

private:
    torch::nn::Embedding m_emb{nullptr};
};
TORCH_MODULE(AbsolutePositionalEmbedding);

/// Unmasked multi-head self-attention: to_q/to_k/to_v Linear(dim -> heads*dimHead, no bias),
/// softmax(q k^T * dimHead^-0.5) v with heads split head-major, to_out Linear(inner -> dim).
class AttentionImpl : public torch::nn::Module
{
public:
    AttentionImpl(int64_t dim, int64_t heads, int64_t dimHead);
    /// x: [B, n, dim] -> [B, n, dim].
    torch::Tensor forward(const torch::Tensor& x);

private:
    int64_t m_heads;
    int64_t m_dimHead;
    torch::nn::Linear m_toQ{nullptr};
    torch::nn::Linear m_toK{nullptr};
    torch::nn::Linear m_toV{nullptr};
    torch::nn::Linear m_toOut{nullptr};
};
TORCH_MODULE(Attention);

/// FeedForward's `project_in`: Sequential(Linear(dim, inner), GELU) as keys `0.*` (GELU `1`
/// has no parameters). A module of its own because LibTorch cannot nest Sequentials.
class ProjectInImpl : public torch::nn::Module
{
public:
    ProjectInImpl(int64_t dim, int64_t inner);
    /// x: [B, n, dim] -> GELU(Linear(x)) [B, n, inner].
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Linear m_linear{nullptr};
    torch::nn::GELU m_gelu{nullptr};
};
TORCH_MODULE(ProjectIn);

/// `net = Sequential(Sequential(Linear(dim, mult*dim), GELU), Dropout, Linear(mult*dim, dim))`,
/// hence the keys net.0.0.* and net.2.*; GELU is the exact (erf) one.
class FeedForwardImpl : public torch::nn::Module
{
public:
    FeedForwardImpl(int64_t dim, int64_t mult);
    /// x: [B, n, dim] -> [B, n, dim].
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Sequential m_net{nullptr};
};
TORCH_MODULE(FeedForward);

/// Encoder (AttentionLayers, pre-norm): `layers.{2i}` = [0 LayerNorm, 1 Attention],
/// `layers.{2i+1}` = [0 LayerNorm, 1 FeedForward], each applied as x = block(LN(x)) + x.
/// Python's third entry of each layer (Residual) has no parameters and is not registered.
class AttentionLayersImpl : public torch::nn::Module
{
public:
    explicit AttentionLayersImpl(const TransformerWrapperConfig& config);
    /// x: [B, n, dim] -> [B, n, dim] (before the wrapper's final norm).
    torch::Tensor forward(torch::Tensor x);

private:
    torch::nn::ModuleList m_layers{nullptr};
    // Typed views of m_layers, in order, so forward needs no downcasts.
    std::vector<torch::nn::LayerNorm> m_attnNorms;
    std::vector<Attention> m_attns;
    std::vector<torch::nn::LayerNorm> m_ffNorms;
    std::vector<FeedForward> m_ffs;
};
TORCH_MODULE(AttentionLayers);

/// TransformerWrapper with return_embeddings=True: token + position embedding, the encoder,
/// the final `norm`. `to_logits` exists only because checkpoints hold it; it is never run.
class TransformerWrapperImpl : public torch::nn::Module
{
public:
    explicit TransformerWrapperImpl(const TransformerWrapperConfig& config);
    /// tokens: integer [B, n] with n <= maxSeqLen -> embeddings [B, n, dim] (float).
    torch::Tensor forward(const torch::Tensor& tokens);

    const TransformerWrapperConfig& config() const { return m_config; }

private:
    TransformerWrapperConfig m_config;
    torch::nn::Embedding m_tokenEmb{nullptr};
    AbsolutePositionalEmbedding m_posEmb{nullptr};
    AttentionLayers m_attnLayers{nullptr};
    torch::nn::LayerNorm m_norm{nullptr};
    torch::nn::Linear m_toLogits{nullptr};
};
TORCH_MODULE(TransformerWrapper);

} // namespace ldm::xtransformer
