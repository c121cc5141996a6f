// SPDX-License-Identifier: GPL-3.0-or-later
// Cross-attention over image positions (`SpatialTransformer` in ldm/modules/attention.py),
// the attention layer of text- and class-conditioned UNets.
#pragma once

#include "unet/group_norm.h"
#include "unet/transformer_block.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ldm::unet {

/// Options of one SpatialTransformer (heads already resolved, see UNetConfig::attentionHeads).
struct SpatialTransformerConfig
{
    int64_t channels = 0;    ///< in_channels
    int64_t heads = 8;       ///< n_heads
    int64_t dimHead = 64;    ///< d_head (inner width = heads * d_head)
    int64_t depth = 1;       ///< depth (transformer_depth)
    int64_t contextDim = -1; ///< context_dim (-1: self-attention in attn2 too)
    bool linear = false;     ///< use_linear: Linear proj_in/proj_out on tokens (SD-2.x)
    bool disableSelfAttn = false; ///< disable_self_attn: every block's attn1 reads the context
};

/// out = x + proj_out(blocks(proj_in(GN(x)) as tokens)). Keys: `norm` (GroupNorm eps 1e-6),
/// `proj_in` / `proj_out` (1x1 convs, or Linear with `linear`), `transformer_blocks.k`.
class SpatialTransformerImpl : public torch::nn::Module
{
public:
    explicit SpatialTransformerImpl(const SpatialTransformerConfig& config);

    /// x [B, C, H, W], context [B, M, context_dim] -> [B, C, H, W].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& context = {});

    int64_t heads() const { return m_config.heads; }
    int64_t dimHead() const { return m_config.dimHead; }

private:
    SpatialTransformerConfig m_config;
    GroupNormF32 m_norm{nullptr};
    torch::nn::Conv2d m_projIn{nullptr};
    std::vector<BasicTransformerBlock> m_blocks;
    torch::nn::Conv2d m_projOut{nullptr};
    torch::nn::Linear m_linearIn{nullptr};
    torch::nn::Linear m_linearOut{nullptr};
};
TORCH_MODULE(SpatialTransformer);

} // namespace ldm::unet
