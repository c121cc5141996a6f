// SPDX-License-Identifier: GPL-3.0-or-later
// The UNet residual block with timestep embedding (`ResBlock` in openaimodel.py).
#pragma once

#include "unet/group_norm.h"

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Whether a ResBlock also resamples (`up` / `down`, used when resblock_updown is set).
enum class ResBlockResample { None, Up, Down };

/// Options of one ResBlock.
struct ResBlockConfig
{
    int64_t channels = 0;           ///< channels (input width)
    int64_t embChannels = 0;        ///< emb_channels (time embedding width, 4 * model_channels)
    int64_t outChannels = -1;       ///< out_channels (-1: channels)
    bool useScaleShiftNorm = false; ///< use_scale_shift_norm: embedding as FiLM scale + shift
    ResBlockResample resample = ResBlockResample::None; ///< up / down
};

/// out = skip(x) + Conv(SiLU(GN(Conv(SiLU(GN(x))) + Linear(SiLU(emb)))))
/// State-dict layout: `in_layers.{0 norm, 1 SiLU, 2 conv}`, `emb_layers.{0 SiLU, 1 linear}`,
/// `out_layers.{0 norm, 1 SiLU, 2 dropout, 3 conv}`, `skip_connection` (1x1 conv when the width
/// changes, identity otherwise). Resampling variants have no extra parameters.
class ResBlockImpl : public torch::nn::Module
{
public:
    explicit ResBlockImpl(const ResBlockConfig& config);

    /// x [B, Cin, H, W], emb [B, E] -> [B, Cout, H', W'] (H' = 2H for up, H/2 for down).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

private:
    ResBlockConfig m_config;
    int64_t m_outChannels = 0;
    GroupNormF32 m_inNorm{nullptr};
    torch::nn::Conv2d m_inConv{nullptr};
    torch::nn::Linear m_embLinear{nullptr};
    GroupNormF32 m_outNorm{nullptr};
    torch::nn::Conv2d m_outConv{nullptr};
    torch::nn::Conv2d m_skip{nullptr}; // null: identity
};
TORCH_MODULE(ResBlock);

} // namespace ldm::unet
