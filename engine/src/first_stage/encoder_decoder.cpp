// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/encoder_decoder.h"

#include <algorithm>

namespace ldm {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(1).padding(1));
}

// Attention modules exist only for attn_type vanilla; `none` makes them nn.Identity, which
// owns no parameters, so nothing is registered at all.
bool attentionAt(const DDConfig& config, int64_t currRes)
{
    return config.attnType == AttnType::Vanilla && config.hasAttentionAt(currRes);
}

} // namespace

FirstStageLevelImpl::FirstStageLevelImpl(int64_t inChannels, int64_t outChannels, int64_t numBlocks,
                                         bool withAttention, const std::string& resample)
{
    // ModuleLists give the "block.<j>" / "attn.<j>" names; typed copies avoid casts in forward.
    auto blockList = register_module("block", torch::nn::ModuleList());
    auto attnList = torch::nn::ModuleList();
    for (int64_t j = 0; j < numBlocks; ++j) {
        blocks.emplace_back(j == 0 ? inChannels : outChannels, outChannels);
        blockList->push_back(blocks.back());
        if (withAttention) {
            attns.emplace_back(outChannels);
            attnList->push_back(attns.back());
        }
    }
    if (withAttention)
        register_module("attn", attnList);
    if (resample == "downsample")
        downsample = register_module("downsample", FirstStageDownsample(outChannels));
    else if (resample == "upsample")
        upsample = register_module("upsample", FirstStageUpsample(outChannels));
}

torch::Tensor FirstStageLevelImpl::forward(torch::Tensor x)
{
    for (size_t j = 0; j < blocks.size(); ++j) {
        x = blocks[j](x);
        if (!attns.empty())
            x = attns[j](x);
    }
    if (downsample)
        x = downsample(x);
    if (upsample)
        x = upsample(x);
    return x;
}

FirstStageMidImpl::FirstStageMidImpl(int64_t channels, bool withAttention)
{
    block1 = register_module("block_1", ResnetBlock(channels, channels));
    if (withAttention)
        attn1 = register_module("attn_1", AttnBlock(channels));
    block2 = register_module("block_2", ResnetBlock(channels, channels));
}

torch::Tensor FirstStageMidImpl::forward(const torch::Tensor& x)
{
    auto h = block1(x);
    if (attn1)
        h = attn1(h);
    return block2(h);
}

EncoderImpl::EncoderImpl(const DDConfig& config)
{
    const int64_t levels = config.numLevels();
    convIn = register_module("conv_in", conv3x3(config.inChannels, config.ch));

    auto downList = register_module("down", torch::nn::ModuleList());
    int64_t currRes = config.resolution;
    int64_t blockIn = config.ch;
    for (int64_t i = 0; i < levels; ++i) {
        // in_ch_mult = (1,) + ch_mult: level i starts where level i−1 ended.
        blockIn = config.ch * (i == 0 ? 1 : config.chMult[i - 1]);
        const int64_t blockOut = config.ch * config.chMult[i];
        down.emplace_back(blockIn, blockOut, config.numResBlocks, attentionAt(config, currRes),
                          i != levels - 1 ? "downsample" : "");
        downList->push_back(down.back());
        blockIn = blockOut;
        if (i != levels - 1)
            currRes /= 2;
    }

    mid = register_module("mid", FirstStageMid(blockIn, config.attnType == AttnType::Vanilla));
    normOut = register_module("norm_out", makeFirstStageNorm(blockIn));
    convOut = register_module("conv_out", conv3x3(blockIn, config.encoderOutChannels()));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x)
{
    auto h = convIn(x);
    for (auto& level : down)
        h = level(h);
    h = mid(h);
    return convOut(torch::silu(normOut(h)));
}

DecoderImpl::DecoderImpl(const DDConfig& config)
{
    const int64_t levels = config.numLevels();
    int64_t blockIn = config.ch * config.chMult.back();
    int64_t currRes = config.resolution / config.downFactor();

    convIn = register_module("conv_in", conv3x3(config.zChannels, blockIn));
    mid = register_module("mid", FirstStageMid(blockIn, config.attnType == AttnType::Vanilla));

    // Built from the lowest resolution up (channel counts flow that way), but stored with
    // up[0] = full resolution, as CompVis does with `self.up.insert(0, up)`.
    std::vector<FirstStageLevel> built;
    for (int64_t i = levels - 1; i >= 0; --i) {
        const int64_t blockOut = config.ch * config.chMult[i];
        built.emplace_back(blockIn, blockOut, config.numResBlocks + 1, attentionAt(config, currRes),
                           i != 0 ? "upsample" : "");
        blockIn = blockOut;
        if (i != 0)
            currRes *= 2;
    }
    std::reverse(built.begin(), built.end());
    auto upList = register_module("up", torch::nn::ModuleList());
    for (auto& level : built) {
        up.push_back(level);
        upList->push_back(level);
    }

    normOut = register_module("norm_out", makeFirstStageNorm(blockIn));
    convOut = register_module("conv_out", conv3x3(blockIn, config.outCh));
}

torch::Tensor DecoderImpl::forward(const torch::Tensor& z)
{
    auto h = mid(convIn(z));
    for (auto it = up.rbegin(); it != up.rend(); ++it)
        h = (*it)(h);
    return convOut(torch::silu(normOut(h)));
}

} // namespace ldm
