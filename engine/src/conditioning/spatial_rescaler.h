// SPDX-License-Identifier: GPL-3.0-or-later
// SpatialRescaler (ldm/modules/encoders/modules.py): resizes a conditioning map (e.g. the
// one-hot semantic map of the semantic-synthesis LDM) to the latent size and optionally remaps
// its channels, before it is concatenated to the latent.
#pragma once

#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace ldm {

/// Hyper-parameters of a SpatialRescaler, as in the `cond_stage_config.params` YAML block.
struct SpatialRescalerConfig
{
    int64_t nStages = 1;             ///< n_stages: how many times the map is rescaled (>= 0)
    std::string method = "bilinear"; ///< method: nearest, (tri/bi)linear, bicubic, area
    double multiplier = 0.5;         ///< multiplier: scale factor of each stage
    int64_t inChannels = 3;          ///< in_channels: channels of the map (used by channel_mapper)
    int64_t outChannels = -1;        ///< out_channels: null/-1 means no channel_mapper
    bool bias = false;               ///< bias: whether channel_mapper has a bias

    /// Reads the CompVis keys (n_stages, method, multiplier, in_channels, out_channels, bias);
    /// absent keys keep their defaults, out_channels null means none.
    static Result<SpatialRescalerConfig> fromJson(const nlohmann::json& json);
};

/// n_stages x `F.interpolate(x, scale_factor=multiplier, mode=method)` with PyTorch's defaults
/// (align_corners False, the output size floor(size * multiplier), and the kernel sampling
/// with 1 / multiplier as in Python's recompute_scale_factor=None), then the optional 1x1
/// `channel_mapper` Conv2d. State-dict keys: `channel_mapper.weight [out, in, 1, 1]`
/// (+ `channel_mapper.bias`), nothing otherwise.
class SpatialRescalerImpl : public torch::nn::Module
{
public:
    explicit SpatialRescalerImpl(const SpatialRescalerConfig& config = {});

    /// x: [B, C, H, W] for the 2-D modes ([B, C, L] for linear, [B, C, D, H, W] for trilinear;
    /// nearest and area take any of them). Returns the rescaled, optionally remapped map.
    torch::Tensor forward(const torch::Tensor& x);

    const SpatialRescalerConfig& config() const { return m_config; }
    /// True when the config has out_channels (and so a channel_mapper).
    bool remapsOutput() const { return !m_channelMapper.is_empty(); }

private:
    SpatialRescalerConfig m_config;
    torch::nn::Conv2d m_channelMapper{nullptr};
};

TORCH_MODULE(SpatialRescaler);

} // namespace ldm
