// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/control_net.h"

#include "unet/timestep_embedding.h"

#include <array>
#include <string>

namespace ldm {

namespace nn = torch::nn;
using namespace unet; // the building blocks live in ldm::unet

namespace {

/// One 1x1 convolution wrapped as the reference's TimestepEmbedSequential (key `<name>.0`).
nn::Sequential zeroConvBlock(int64_t channels, nn::Conv2d& conv)
{
    conv = nn::Conv2d(nn::Conv2dOptions(channels, channels, 1));
    nn::Sequential block;
    block->push_back(conv);
    return block;
}

} // namespace

Result<void> ControlNetConfig::validate() const
{
    if (hintChannels < 1 || hintChannels > 64)
        return makeError(ErrorCode::InvalidRequest,
                         "ControlNet: hint_channels must be between 1 and 64, got " +
                             std::to_string(hintChannels));
    return unet.validate();
}

ControlNetImpl::ControlNetImpl(const ControlNetConfig& config)
    : m_config(config)
{
    const auto valid = config.validate();
    TORCH_CHECK(valid.ok(), valid.ok() ? std::string() : valid.error().message);
    const UNetConfig& u = config.unet;
    const int64_t mc = u.modelChannels;
    const int64_t embDim = u.timeEmbedDim();

    m_timeLinear1 = nn::Linear(mc, embDim);
    m_timeLinear2 = nn::Linear(embDim, embDim);
    nn::Sequential timeEmbed;
    timeEmbed->push_back(m_timeLinear1);
    timeEmbed->push_back(nn::SiLU());
    timeEmbed->push_back(m_timeLinear2);
    register_module("time_embed", timeEmbed);

    // input_hint_block: eight 3x3 convs with SiLU between them (odd indices), three of them of
    // stride 2, so a pixel-size hint arrives at the latent's size with model_channels.
    struct HintConv
    {
        int64_t out;
        int64_t stride;
    };
    const std::array<HintConv, 8> hintConvs{
        {{16, 1}, {16, 1}, {32, 2}, {32, 1}, {96, 2}, {96, 1}, {256, 2}, {mc, 1}}};
    m_hintBlock = nn::Sequential();
    int64_t hintIn = config.hintChannels;
    for (size_t i = 0; i < hintConvs.size(); ++i) {
        if (i > 0)
            m_hintBlock->push_back(nn::SiLU());
        m_hintBlock->push_back(nn::Conv2d(
            nn::Conv2dOptions(hintIn, hintConvs[i].out, 3).stride(hintConvs[i].stride).padding(1)));
        hintIn = hintConvs[i].out;
    }
    register_module("input_hint_block", m_hintBlock);

    // The encoder exactly as the base UNet builds it, with a zero conv after every block.
    const auto resBlock = [&](int64_t in, int64_t out, ResBlockResample resample) {
        return ResBlock(ResBlockConfig{in, embDim, out, u.useScaleShiftNorm, resample});
    };
    nn::ModuleList inputBlocks;
    nn::ModuleList zeroConvs;
    const auto addInput = [&](const TimestepEmbedSequential& block, int64_t channels) {
        m_inputBlocks.push_back(block);
        inputBlocks->push_back(block);
        m_zeroConvs.emplace_back(nullptr);
        zeroConvs->push_back(zeroConvBlock(channels, m_zeroConvs.back()));
    };
    TimestepEmbedSequential first;
    first->append(nn::Conv2d(nn::Conv2dOptions(u.inChannels, mc, 3).padding(1)));
    addInput(first, mc);
    int64_t ch = mc;
    int64_t ds = 1;
    for (int64_t level = 0; level < u.levels(); ++level) {
        const int64_t width = u.channelMult[level] * mc;
        for (int64_t r = 0; r < u.numResBlocks; ++r) {
            TimestepEmbedSequential block;
            block->append(resBlock(ch, width, ResBlockResample::None));
            ch = width;
            if (u.hasAttentionAt(ds))
                block->append(makeAttention(ch));
            addInput(block, ch);
        }
        if (level != u.levels() - 1) {
            TimestepEmbedSequential block;
            if (u.resblockUpdown)
                block->append(resBlock(ch, ch, ResBlockResample::Down));
            else
                block->append(Downsample(ResampleConfig{ch, u.convResample, ch}));
            addInput(block, ch);
            ds *= 2;
        }
    }
    register_module("input_blocks", inputBlocks);
    register_module("zero_convs", zeroConvs);

    m_middleBlock = TimestepEmbedSequential();
    m_middleBlock->append(resBlock(ch, ch, ResBlockResample::None));
    m_middleBlock->append(makeAttention(ch));
    m_middleBlock->append(resBlock(ch, ch, ResBlockResample::None));
    register_module("middle_block", m_middleBlock);
    register_module("middle_block_out", zeroConvBlock(ch, m_middleOut));
}

TimestepEmbedSequentialImpl::Layer ControlNetImpl::makeAttention(int64_t channels) const
{
    const UNetConfig& u = m_config.unet;
    const AttentionHeads heads = u.attentionHeads(channels, false).value();
    if (u.useSpatialTransformer) {
        SpatialTransformerConfig transformer;
        transformer.channels = channels;
        transformer.heads = heads.heads;
        transformer.dimHead = heads.headDim;
        transformer.depth = u.transformerDepth;
        transformer.contextDim = u.contextDim.value_or(-1);
        transformer.linear = u.useLinearInTransformer;
        return SpatialTransformer(transformer);
    }
    return AttentionBlock(AttentionBlockConfig{channels, heads.heads, u.useNewAttentionOrder});
}

std::vector<torch::Tensor> ControlNetImpl::forward(const torch::Tensor& x,
                                                   const torch::Tensor& hint,
                                                   const torch::Tensor& timesteps,
                                                   const torch::Tensor& context)
{
    const UNetConfig& u = m_config.unet;
    TORCH_CHECK(x.dim() == 4 && x.size(1) == u.inChannels, "ControlNet: expected x [B, ",
                u.inChannels, ", h, w], got ", x.sizes());
    TORCH_CHECK(
        hint.dim() == 4 && hint.size(0) == x.size(0) && hint.size(1) == m_config.hintChannels &&
            hint.size(2) == HintFactor * x.size(2) && hint.size(3) == HintFactor * x.size(3),
        "ControlNet: expected a hint [", x.size(0), ", ", m_config.hintChannels, ", ",
        HintFactor * x.size(2), ", ", HintFactor * x.size(3), "] (8x the latent), got ",
        hint.sizes());
    TORCH_CHECK(!u.useSpatialTransformer || context.defined(),
                "ControlNet: cross-attention model needs a context");
    const int64_t batch = x.size(0);
    const torch::Tensor t =
        timesteps.dim() == 0 ? timesteps.reshape({1}).expand({batch}) : timesteps;
    TORCH_CHECK(t.dim() == 1 && t.size(0) == batch, "ControlNet: expected ", batch,
                " timesteps, got ", timesteps.sizes());

    const auto dtype = m_timeLinear1->weight.scalar_type();
    const auto device = m_timeLinear1->weight.device();
    const torch::Tensor tEmb = timestepEmbedding(t.to(device), u.modelChannels);
    const torch::Tensor emb =
        m_timeLinear2->forward(torch::silu(m_timeLinear1->forward(tEmb.to(dtype))));
    const torch::Tensor ctx = context.defined() ? context.to(device, dtype) : context;
    const torch::Tensor guidedHint = m_hintBlock->forward(hint.to(device, dtype));

    std::vector<torch::Tensor> residuals;
    residuals.reserve(residualCount());
    torch::Tensor h = x.to(device, dtype);
    for (size_t i = 0; i < m_inputBlocks.size(); ++i) {
        h = m_inputBlocks[i]->forward(h, emb, ctx);
        if (i == 0)
            h = h + guidedHint; // the hint joins after the first conv, as the reference adds it
        residuals.push_back(m_zeroConvs[i]->forward(h).to(x.device(), x.scalar_type()));
    }
    h = m_middleBlock->forward(h, emb, ctx);
    residuals.push_back(m_middleOut->forward(h).to(x.device(), x.scalar_type()));
    return residuals;
}

Result<ControlNet> makeControlNet(const ControlNetConfig& config)
{
    if (auto valid = config.validate(); !valid.ok())
        return valid.error();
    try {
        return ControlNet(config);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "ControlNet: not enough memory for the weights");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal,
                         std::string("ControlNet: construction failed: ") + e.what());
    }
}

} // namespace ldm
