// SPDX-License-Identifier: GPL-3.0-or-later
// Building blocks of the CompVis autoencoder (`ldm/modules/diffusionmodules/model.py`):
// ResnetBlock, AttnBlock, FirstStageDownsample, FirstStageUpsample. They differ from the UNet's
// blocks of the same names (GroupNorm eps 1e-6, no time embedding, asymmetric FirstStageDownsample
// padding), so they are kept separate on purpose.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm {

/// `Normalize(C)`: GroupNorm with 32 groups and eps 1e-6, as everywhere in the autoencoder.
torch::nn::GroupNorm makeFirstStageNorm(int64_t channels);

/// Residual block without time embedding: `norm1`, `conv1`, `norm2`, `conv2`, and a 1×1
/// `nin_shortcut` when the channel count changes. Dropout is identity at inference.
class ResnetBlockImpl : public torch::nn::Module
{
public:
    /// `inChannels` → `outChannels`, both multiples of 32.
    ResnetBlockImpl(int64_t inChannels, int64_t outChannels);

    /// shortcut(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))).
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::GroupNorm norm1{nullptr};    ///< `norm1`
    torch::nn::Conv2d conv1{nullptr};       ///< `conv1`, 3×3
    torch::nn::GroupNorm norm2{nullptr};    ///< `norm2`
    torch::nn::Conv2d conv2{nullptr};       ///< `conv2`, 3×3
    torch::nn::Conv2d ninShortcut{nullptr}; ///< `nin_shortcut`, 1×1; null when Cin == Cout
};
TORCH_MODULE(ResnetBlock);

/// Single-head spatial self-attention: `norm`, `q`, `k`, `v`, `proj_out` (1×1 convs C→C).
/// Scores are scaled by C^(−1/2) and soft-maxed over keys; the output is added to the input.
class AttnBlockImpl : public torch::nn::Module
{
public:
    /// `channels` must be a multiple of 32.
    explicit AttnBlockImpl(int64_t channels);

    /// x + proj_out(attention(norm(x))). Large inputs are processed in query chunks so the
    /// score matrix stays bounded; every output element is reduced exactly as unchunked.
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::GroupNorm norm{nullptr}; ///< `norm`
    torch::nn::Conv2d q{nullptr};       ///< `q`
    torch::nn::Conv2d k{nullptr};       ///< `k`
    torch::nn::Conv2d v{nullptr};       ///< `v`
    torch::nn::Conv2d projOut{nullptr}; ///< `proj_out`
};
TORCH_MODULE(AttnBlock);

/// Halves the size: zero-pad right and bottom by one, then a 3×3 stride-2 conv without
/// padding (CompVis autoencoder layout; the UNet pads symmetrically instead).
class FirstStageDownsampleImpl : public torch::nn::Module
{
public:
    explicit FirstStageDownsampleImpl(int64_t channels);
    /// [B, C, H, W] → [B, C, floor(H/2), floor(W/2)].
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Conv2d conv{nullptr}; ///< `conv`
};
TORCH_MODULE(FirstStageDownsample);

/// Doubles the size: nearest-neighbour ×2, then a 3×3 conv with padding 1.
class FirstStageUpsampleImpl : public torch::nn::Module
{
public:
    explicit FirstStageUpsampleImpl(int64_t channels);
    /// [B, C, H, W] → [B, C, 2H, 2W].
    torch::Tensor forward(const torch::Tensor& x);

    torch::nn::Conv2d conv{nullptr}; ///< `conv`
};
TORCH_MODULE(FirstStageUpsample);

} // namespace ldm
