// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/res_block.h"

#include "unet/up_down_sample.h"

namespace ldm::unet {

namespace nn = torch::nn;

ResBlockImpl::ResBlockImpl(const ResBlockConfig& config)
    : m_config(config)
    , m_outChannels(config.outChannels < 0 ? config.channels : config.outChannels)
{
    const int64_t in = config.channels;
    const int64_t out = m_outChannels;
    m_inNorm = GroupNormF32(GroupNormConfig{in, 1e-5});
    m_inConv = nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1));
    nn::Sequential inLayers;
    inLayers->push_back(m_inNorm);
    inLayers->push_back(nn::SiLU());
    inLayers->push_back(m_inConv);
    register_module("in_layers", inLayers);

    m_embLinear = nn::Linear(config.embChannels, config.useScaleShiftNorm ? 2 * out : out);
    nn::Sequential embLayers;
    embLayers->push_back(nn::SiLU());
    embLayers->push_back(m_embLinear);
    register_module("emb_layers", embLayers);

    m_outNorm = GroupNormF32(GroupNormConfig{out, 1e-5});
    m_outConv = nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1));
    nn::Sequential outLayers;
    outLayers->push_back(m_outNorm);
    outLayers->push_back(nn::SiLU());
    outLayers->push_back(nn::Dropout(0.0));
    outLayers->push_back(m_outConv);
    register_module("out_layers", outLayers);

    if (out == in) {
        register_module("skip_connection", nn::Identity());
    } else {
        m_skip = register_module("skip_connection", nn::Conv2d(nn::Conv2dOptions(in, out, 1)));
    }
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb)
{
    torch::Tensor input = x;
    torch::Tensor h;
    if (m_config.resample == ResBlockResample::None) {
        h = m_inConv->forward(torch::silu(m_inNorm->forward(x)));
    } else {
        // The reference resamples after the norm/SiLU and before the conv, and the skip path
        // sees the resampled input.
        const auto resample =
            m_config.resample == ResBlockResample::Up ? upsampleNearest2x : averagePool2x;
        h = resample(torch::silu(m_inNorm->forward(x)));
        input = resample(x);
        h = m_inConv->forward(h);
    }
    const torch::Tensor e =
        m_embLinear->forward(torch::silu(emb)).to(h.scalar_type()).unsqueeze(-1).unsqueeze(-1);
    if (m_config.useScaleShiftNorm) {
        const auto scaleShift = e.chunk(2, 1);
        h = m_outNorm->forward(h) * (1 + scaleShift[0]) + scaleShift[1];
        h = m_outConv->forward(torch::silu(h));
    } else {
        h = m_outConv->forward(torch::silu(m_outNorm->forward(h + e)));
    }
    return (m_skip ? m_skip->forward(input) : input) + h;
}

} // namespace ldm::unet
