// SPDX-License-Identifier: GPL-3.0-or-later
// GroupNorm that normalises in float32 whatever the module's dtype, like the reference's
// GroupNorm32: bf16/fp16 statistics over large groups lose too much precision.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Options of one GroupNorm layer (`normalization(ch)` in the UNet, `Normalize` in attention.py).
struct GroupNormConfig
{
    int64_t channels = 32; ///< num_channels
    double eps = 1e-5;     ///< 1e-5 in ResBlock/AttentionBlock/out, 1e-6 in SpatialTransformer
    int64_t groups = 32;   ///< num_groups; always 32 in CompVis
};

/// Affine GroupNorm with parameters `weight` and `bias` [channels].
class GroupNormF32Impl : public torch::nn::Module
{
public:
    explicit GroupNormF32Impl(const GroupNormConfig& config);

    /// Normalises x [B, C, ...]; reduced-precision input is normalised in float32 and returned
    /// in its own dtype.
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight;
    torch::Tensor bias;

private:
    GroupNormConfig m_config;
};
TORCH_MODULE(GroupNormF32);

/// True for half and bfloat16, the dtypes whose norms and softmax run in float32.
inline bool isReducedPrecision(const torch::Tensor& t)
{
    return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf;
}

} // namespace ldm::unet
