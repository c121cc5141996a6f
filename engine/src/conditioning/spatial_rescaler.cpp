// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/spatial_rescaler.h"

#include "conditioning/json_config.h"

#include <nlohmann/json.hpp>

#include <array>

namespace ldm {

namespace {

namespace F = torch::nn::functional;

bool isKnownMethod(const std::string& method)
{
    static const std::array<const char*, 6> Methods = {"nearest",   "linear",  "bilinear",
                                                       "trilinear", "bicubic", "area"};
    for (const char* known : Methods) {
        if (method == known) {
            return true;
        }
    }
    return false;
}

// Interpolating modes take align_corners; nearest and area must not be given one at all.
F::InterpolateFuncOptions interpolateOptions(const std::string& method, int64_t spatialDims,
                                             double multiplier)
{
    auto options = F::InterpolateFuncOptions()
                       .scale_factor(std::vector<double>(size_t(spatialDims), multiplier))
                       // false == Python's default None here, and it silences LibTorch's
                       // per-call warning about the 1.6 change of the default.
                       .recompute_scale_factor(false);
    if (method == "nearest") {
        return options.mode(torch::kNearest);
    }
    if (method == "area") {
        return options.mode(torch::kArea);
    }
    options.align_corners(false);
    if (method == "linear") {
        return options.mode(torch::kLinear);
    }
    if (method == "trilinear") {
        return options.mode(torch::kTrilinear);
    }
    if (method == "bicubic") {
        return options.mode(torch::kBicubic);
    }
    return options.mode(torch::kBilinear);
}

} // namespace

Result<SpatialRescalerConfig> SpatialRescalerConfig::fromJson(const nlohmann::json& json)
{
    SpatialRescalerConfig config;
    detail::JsonReader reader(json, "SpatialRescaler");
    reader.read("n_stages", config.nStages);
    reader.read("method", config.method);
    reader.read("multiplier", config.multiplier);
    reader.read("in_channels", config.inChannels);
    reader.read("out_channels", config.outChannels);
    reader.read("bias", config.bias);
    if (config.nStages < 0) {
        reader.fail("'n_stages' must be >= 0, got " + std::to_string(config.nStages));
    }
    if (!isKnownMethod(config.method)) {
        reader.fail("'method' must be one of nearest, linear, bilinear, trilinear, bicubic, "
                    "area; got '" +
                    config.method + "'");
    }
    if (!(config.multiplier > 0.0)) {
        reader.fail("'multiplier' must be positive, got " + std::to_string(config.multiplier));
    }
    reader.requirePositive("in_channels", config.inChannels);
    if (config.outChannels == 0 || config.outChannels < -1) {
        reader.fail("'out_channels' must be positive or null, got " +
                    std::to_string(config.outChannels));
    }
    if (!reader.ok()) {
        return reader.error();
    }
    return config;
}

SpatialRescalerImpl::SpatialRescalerImpl(const SpatialRescalerConfig& config)
    : m_config(config)
{
    if (m_config.outChannels > 0) {
        m_channelMapper = register_module(
            "channel_mapper",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(m_config.inChannels, m_config.outChannels, 1)
                                  .bias(m_config.bias)));
    }
}

torch::Tensor SpatialRescalerImpl::forward(const torch::Tensor& x)
{
    TORCH_CHECK(x.dim() >= 3, "SpatialRescaler expects [B, C, ...spatial], got ", x.sizes());
    torch::Tensor h = x;
    if (m_config.nStages > 0) {
        const auto options = interpolateOptions(m_config.method, x.dim() - 2, m_config.multiplier);
        for (int64_t stage = 0; stage < m_config.nStages; ++stage) {
            h = F::interpolate(h, options);
        }
    }
    if (!m_channelMapper.is_empty()) {
        h = m_channelMapper->forward(h);
    }
    return h;
}

} // namespace ldm
