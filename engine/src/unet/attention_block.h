// SPDX-License-Identifier: GPL-3.0-or-later
// Self-attention over pixels without a context (`AttentionBlock` in openaimodel.py), used by
// UNets with use_spatial_transformer false (semantic synthesis, super-resolution, ...).
#pragma once

#include "unet/group_norm.h"

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Options of one AttentionBlock (heads already resolved, see UNetConfig::attentionHeads).
struct AttentionBlockConfig
{
    int64_t channels = 0;              ///< channels
    int64_t heads = 1;                 ///< num_heads after the num_head_channels rule
    bool useNewAttentionOrder = false; ///< use_new_attention_order (QKVAttention vs Legacy)
};

/// out = x + proj_out(attention(qkv(GN(x)))) over the H*W positions. Keys: `norm`,
/// `qkv` (Conv1d [3C, C, 1]), `proj_out` (Conv1d [C, C, 1]).
class AttentionBlockImpl : public torch::nn::Module
{
public:
    explicit AttentionBlockImpl(const AttentionBlockConfig& config);

    /// x [B, C, H, W] (or [B, C, N]) -> same shape.
    torch::Tensor forward(const torch::Tensor& x);

    int64_t heads() const { return m_config.heads; }

private:
    AttentionBlockConfig m_config;
    GroupNormF32 m_norm{nullptr};
    torch::nn::Conv1d m_qkv{nullptr};
    torch::nn::Conv1d m_projOut{nullptr};
};
TORCH_MODULE(AttentionBlock);

} // namespace ldm::unet
