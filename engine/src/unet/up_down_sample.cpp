// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/up_down_sample.h"

namespace ldm::unet {

namespace F = torch::nn::functional;

torch::Tensor upsampleNearest2x(const torch::Tensor& x)
{
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .scale_factor(std::vector<double>{2.0, 2.0})
                                 .mode(torch::kNearest));
}

torch::Tensor averagePool2x(const torch::Tensor& x)
{
    return torch::avg_pool2d(x, {2, 2}, {2, 2});
}

DownsampleImpl::DownsampleImpl(const ResampleConfig& config)
{
    const int64_t out = config.outChannels < 0 ? config.channels : config.outChannels;
    if (config.useConv) {
        m_op = register_module(
            "op", torch::nn::Conv2d(
                      torch::nn::Conv2dOptions(config.channels, out, 3).stride(2).padding(1)));
    } else {
        TORCH_CHECK(out == config.channels, "Downsample: a pool cannot change channels");
        register_module("op", torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2).stride(2)));
    }
}

torch::Tensor DownsampleImpl::forward(const torch::Tensor& x)
{
    return m_op ? m_op->forward(x) : averagePool2x(x);
}

UpsampleImpl::UpsampleImpl(const ResampleConfig& config)
{
    const int64_t out = config.outChannels < 0 ? config.channels : config.outChannels;
    if (config.useConv)
        m_conv = register_module(
            "conv",
            torch::nn::Conv2d(torch::nn::Conv2dOptions(config.channels, out, 3).padding(1)));
    else
        TORCH_CHECK(out == config.channels, "Upsample: without conv channels cannot change");
}

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x)
{
    const torch::Tensor h = upsampleNearest2x(x);
    return m_conv ? m_conv->forward(h) : h;
}

} // namespace ldm::unet
