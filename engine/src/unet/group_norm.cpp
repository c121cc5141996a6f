// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/group_norm.h"

namespace ldm::unet {

GroupNormF32Impl::GroupNormF32Impl(const GroupNormConfig& config)
    : m_config(config)
{
    TORCH_CHECK(config.groups > 0 && config.channels % config.groups == 0,
                "GroupNorm: ", config.channels, " channels do not split into ", config.groups,
                " groups");
    weight = register_parameter("weight", torch::ones({config.channels}));
    bias = register_parameter("bias", torch::zeros({config.channels}));
}

torch::Tensor GroupNormF32Impl::forward(const torch::Tensor& x)
{
    if (!isReducedPrecision(x))
        return torch::group_norm(x, m_config.groups, weight.to(x.scalar_type()),
                                 bias.to(x.scalar_type()), m_config.eps);
    return torch::group_norm(x.to(torch::kFloat), m_config.groups, weight.to(torch::kFloat),
                             bias.to(torch::kFloat), m_config.eps)
        .to(x.scalar_type());
}

} // namespace ldm::unet
