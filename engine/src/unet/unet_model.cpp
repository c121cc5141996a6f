// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/unet_model.h"

#include "unet/timestep_embedding.h"

#include <string>

namespace ldm {

namespace nn = torch::nn;
using namespace unet; // the building blocks live in ldm::unet

UNetModelImpl::UNetModelImpl(const UNetConfig& config)
    : m_config(config)
{
    const auto valid = config.validate();
    TORCH_CHECK(valid.ok(), valid.ok() ? std::string() : valid.error().message);

    const int64_t mc = config.modelChannels;
    const int64_t embDim = config.timeEmbedDim();
    m_timeLinear1 = nn::Linear(mc, embDim);
    m_timeLinear2 = nn::Linear(embDim, embDim);
    nn::Sequential timeEmbed;
    timeEmbed->push_back(m_timeLinear1);
    timeEmbed->push_back(nn::SiLU());
    timeEmbed->push_back(m_timeLinear2);
    register_module("time_embed", timeEmbed);
    if (config.numClasses)
        m_labelEmb = register_module("label_emb", nn::Embedding(*config.numClasses, embDim));

    const auto resBlock = [&](int64_t in, int64_t out, ResBlockResample resample) {
        return ResBlock(ResBlockConfig{in, embDim, out, config.useScaleShiftNorm, resample});
    };

    // Encoder: every block's output is a skip tensor; remember its width for the decoder.
    nn::ModuleList inputBlocks;
    const auto addInput = [&](const TimestepEmbedSequential& block) {
        m_inputBlocks.push_back(block);
        inputBlocks->push_back(block);
    };
    TimestepEmbedSequential first;
    first->append(nn::Conv2d(nn::Conv2dOptions(config.inChannels, mc, 3).padding(1)));
    addInput(first);
    std::vector<int64_t> skipChannels{mc};
    int64_t ch = mc;
    int64_t ds = 1;
    const int64_t levels = config.levels();
    for (int64_t level = 0; level < levels; ++level) {
        const int64_t width = config.channelMult[level] * mc;
        for (int64_t r = 0; r < config.numResBlocks; ++r) {
            TimestepEmbedSequential block;
            block->append(resBlock(ch, width, ResBlockResample::None));
            ch = width;
            if (config.hasAttentionAt(ds))
                block->append(makeAttention(ch, false, config.selfAttentionDisabled(level)));
            addInput(block);
            skipChannels.push_back(ch);
        }
        if (level != levels - 1) {
            TimestepEmbedSequential block;
            if (config.resblockUpdown)
                block->append(resBlock(ch, ch, ResBlockResample::Down));
            else
                block->append(Downsample(ResampleConfig{ch, config.convResample, ch}));
            addInput(block);
            skipChannels.push_back(ch);
            ds *= 2;
        }
    }
    register_module("input_blocks", inputBlocks);

    m_middleBlock = TimestepEmbedSequential();
    m_middleBlock->append(resBlock(ch, ch, ResBlockResample::None));
    m_middleBlock->append(makeAttention(ch, false, config.disableMiddleSelfAttn));
    m_middleBlock->append(resBlock(ch, ch, ResBlockResample::None));
    register_module("middle_block", m_middleBlock);

    // Decoder: num_res_blocks + 1 blocks per level, each eating one skip tensor from the end.
    nn::ModuleList outputBlocks;
    for (int64_t level = levels - 1; level >= 0; --level) {
        const int64_t width = config.channelMult[level] * mc;
        for (int64_t i = 0; i <= config.numResBlocks; ++i) {
            const int64_t skip = skipChannels.back();
            skipChannels.pop_back();
            TimestepEmbedSequential block;
            block->append(resBlock(ch + skip, width, ResBlockResample::None));
            ch = width;
            if (config.hasAttentionAt(ds))
                block->append(makeAttention(ch, true, config.selfAttentionDisabled(level)));
            if (level > 0 && i == config.numResBlocks) {
                if (config.resblockUpdown)
                    block->append(resBlock(ch, ch, ResBlockResample::Up));
                else
                    block->append(Upsample(ResampleConfig{ch, config.convResample, ch}));
                ds /= 2;
            }
            m_outputBlocks.push_back(block);
            outputBlocks->push_back(block);
        }
    }
    register_module("output_blocks", outputBlocks);

    m_outNorm = GroupNormF32(GroupNormConfig{ch, 1e-5});
    m_outConv = nn::Conv2d(nn::Conv2dOptions(mc, config.outChannels, 3).padding(1));
    nn::Sequential out;
    out->push_back(m_outNorm);
    out->push_back(nn::SiLU());
    out->push_back(m_outConv);
    register_module("out", out);
}

unet::TimestepEmbedSequentialImpl::Layer
UNetModelImpl::makeAttention(int64_t channels, bool decoder, bool disableSelfAttn) const
{
    const AttentionHeads heads = m_config.attentionHeads(channels, decoder).value();
    if (m_config.useSpatialTransformer)
        return SpatialTransformer(SpatialTransformerConfig{
            channels, heads.heads, heads.headDim, m_config.transformerDepth,
            m_config.contextDim.value_or(-1), m_config.useLinearInTransformer, disableSelfAttn});
    return AttentionBlock(
        AttentionBlockConfig{channels, heads.heads, m_config.useNewAttentionOrder});
}

void UNetModelImpl::trace(const std::string& name, const torch::Tensor& value) const
{
    if (m_trace)
        m_trace(name, value);
}

torch::Tensor UNetModelImpl::forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                                     const torch::Tensor& context, const torch::Tensor& y,
                                     const std::vector<torch::Tensor>& control)
{
    TORCH_CHECK(x.dim() == 4 && x.size(1) == m_config.inChannels, "UNet: expected x [B, ",
                m_config.inChannels, ", H, W], got ", x.sizes());
    const int64_t factor = int64_t{1} << (m_config.levels() - 1);
    TORCH_CHECK(x.size(2) % factor == 0 && x.size(3) % factor == 0, "UNet: latent size ", x.size(2),
                "x", x.size(3), " must be a multiple of ", factor,
                " (2^(levels-1)) so the decoder meets the skip tensors");
    TORCH_CHECK(y.defined() == m_config.numClasses.has_value(),
                m_config.numClasses ? "UNet: class-conditional model needs labels y"
                                    : "UNet: labels y given to a model without num_classes");
    TORCH_CHECK(!m_config.useSpatialTransformer || context.defined(),
                "UNet: cross-attention model needs a context [B, M, ", *m_config.contextDim, "]");
    const int64_t batch = x.size(0);
    torch::Tensor t = timesteps.dim() == 0 ? timesteps.reshape({1}).expand({batch}) : timesteps;
    TORCH_CHECK(t.dim() == 1 && t.size(0) == batch, "UNet: expected ", batch, " timesteps, got ",
                timesteps.sizes());

    // Inputs follow the weights' device and dtype; the output goes back to x's.
    const auto dtype = m_timeLinear1->weight.scalar_type();
    const auto device = m_timeLinear1->weight.device();
    const torch::Tensor tEmb = timestepEmbedding(t.to(device), m_config.modelChannels);
    trace("t_emb", tEmb);
    torch::Tensor emb = m_timeLinear2->forward(torch::silu(m_timeLinear1->forward(tEmb.to(dtype))));
    trace("emb", emb);
    if (m_labelEmb) {
        TORCH_CHECK(y.dim() == 1 && y.size(0) == batch, "UNet: expected ", batch, " labels");
        emb = emb + m_labelEmb->forward(y.to(device, torch::kLong));
    }
    const torch::Tensor ctx = context.defined() ? context.to(device, dtype) : context;

    torch::Tensor h = x.to(device, dtype);
    std::vector<torch::Tensor> skips;
    skips.reserve(m_inputBlocks.size());
    for (size_t i = 0; i < m_inputBlocks.size(); ++i) {
        h = m_inputBlocks[i]->forward(h, emb, ctx);
        trace("input_blocks." + std::to_string(i), h);
        skips.push_back(h);
    }
    h = m_middleBlock->forward(h, emb, ctx);
    trace("middle_block", h);
    TORCH_CHECK(control.empty() || control.size() == skips.size() + 1, "UNet: expected ",
                skips.size() + 1, " control residuals, got ", control.size());
    if (!control.empty())
        h = h + control.back().to(h.device(), h.scalar_type());
    for (size_t i = 0; i < m_outputBlocks.size(); ++i) {
        torch::Tensor skip = skips.back();
        if (!control.empty()) // the skips are used last to first, so are the residuals
            skip = skip + control[skips.size() - 1].to(skip.device(), skip.scalar_type());
        h = torch::cat({h, skip}, 1); // current h first, then the skip
        skips.pop_back();
        h = m_outputBlocks[i]->forward(h, emb, ctx);
        trace("output_blocks." + std::to_string(i), h);
    }
    h = m_outConv->forward(torch::silu(m_outNorm->forward(h)));
    return h.to(x.device(), x.scalar_type());
}

Result<UNetModel> makeUNetModel(const UNetConfig& config)
{
    if (auto valid = config.validate(); !valid.ok())
        return valid.error();
    try {
        return UNetModel(config);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "UNet: not enough memory for the weights");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal,
                         std::string("UNet: construction failed: ") + e.what());
    }
}

int64_t parameterCount(const torch::nn::Module& module)
{
    int64_t count = 0;
    for (const auto& p : module.parameters())
        count += p.numel();
    return count;
}

} // namespace ldm
