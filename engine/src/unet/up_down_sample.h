// SPDX-License-Identifier: GPL-3.0-or-later
// The UNet's resampling layers (`Downsample`, `Upsample` in openaimodel.py). Note the UNet's
// Downsample pads symmetrically (stride 2, padding 1), unlike the autoencoder's.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Options of Downsample / Upsample.
struct ResampleConfig
{
    int64_t channels = 0;     ///< channels
    bool useConv = true;      ///< use_conv (the UNet's `conv_resample`)
    int64_t outChannels = -1; ///< out_channels (-1: channels); only with useConv
};

/// Halves H and W: `op` = Conv2d 3x3 stride 2 padding 1 (or a 2x2 average pool without conv).
class DownsampleImpl : public torch::nn::Module
{
public:
    explicit DownsampleImpl(const ResampleConfig& config);
    /// x [B, C, H, W] -> [B, C', ceil(H/2), ceil(W/2)] (conv) or [B, C, H/2, W/2] (pool).
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_op{nullptr};
};
TORCH_MODULE(Downsample);

/// Doubles H and W by nearest-neighbour repetition, then `conv` (3x3, padding 1) if enabled.
class UpsampleImpl : public torch::nn::Module
{
public:
    explicit UpsampleImpl(const ResampleConfig& config);
    /// x [B, C, H, W] -> [B, C', 2H, 2W].
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::Conv2d m_conv{nullptr};
};
TORCH_MODULE(Upsample);

/// Nearest-neighbour x2 (F.interpolate(scale_factor=2, mode="nearest")).
torch::Tensor upsampleNearest2x(const torch::Tensor& x);
/// 2x2 average pool with stride 2 (avg_pool_nd(kernel_size=2, stride=2)).
torch::Tensor averagePool2x(const torch::Tensor& x);

} // namespace ldm::unet
