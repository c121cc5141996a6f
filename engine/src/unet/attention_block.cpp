// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/attention_block.h"

#include "unet/attention_ops.h"

namespace ldm::unet {

namespace nn = torch::nn;

AttentionBlockImpl::AttentionBlockImpl(const AttentionBlockConfig& config)
    : m_config(config)
{
    TORCH_CHECK(config.heads >= 1 && config.channels % config.heads == 0,
                "AttentionBlock: ", config.heads, " heads do not divide ", config.channels,
                " channels");
    const int64_t c = config.channels;
    m_norm = register_module("norm", GroupNormF32(GroupNormConfig{c, 1e-5}));
    m_qkv = register_module("qkv", nn::Conv1d(nn::Conv1dOptions(c, 3 * c, 1)));
    m_projOut = register_module("proj_out", nn::Conv1d(nn::Conv1dOptions(c, c, 1)));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x)
{
    const auto shape = x.sizes().vec();
    const torch::Tensor flat = x.reshape({shape[0], shape[1], -1});
    const torch::Tensor qkv = m_qkv->forward(m_norm->forward(flat));
    const torch::Tensor h = m_config.useNewAttentionOrder ? qkvAttention(qkv, m_config.heads)
                                                          : qkvAttentionLegacy(qkv, m_config.heads);
    return (flat + m_projOut->forward(h)).reshape(shape);
}

} // namespace ldm::unet
