// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/flop_count.h"

#include <algorithm>
#include <vector>

namespace ldm {
namespace {

/// A k×k convolution with "same" padding (or stride 2 → half size), counted at its output.
int64_t convFlops(int64_t batch, int64_t outH, int64_t outW, int64_t in, int64_t out, int64_t k)
{
    return 2 * batch * outH * outW * out * in * k * k;
}

int64_t linearFlops(int64_t rows, int64_t in, int64_t out)
{
    return 2 * rows * in * out;
}

int64_t attentionFlops(int64_t groups, int64_t queries, int64_t keys, int64_t headDim)
{
    return 4 * groups * queries * keys * headDim;
}

/// Walks the UNet in forward order, tracking the resolution, as UNetModelImpl builds it.
class UNetCounter
{
public:
    UNetCounter(const UNetConfig& config, int64_t batch, int64_t contextLen)
        : m_config(config)
        , m_batch(batch)
        , m_contextLen(contextLen)
    {
    }

    FlopBreakdown flops;

    void conv(int64_t h, int64_t w, int64_t in, int64_t out, int64_t k)
    {
        flops.conv += convFlops(m_batch, h, w, in, out, k);
    }

    /// ResBlock: in_layers conv (after any resampling), the embedding Linear, out_layers conv
    /// and a 1×1 skip conv when the width changes. h, w: input size; returns the output size
    /// through the references.
    void resBlock(int64_t& h, int64_t& w, int64_t in, int64_t out, int resample)
    {
        if (resample < 0) {
            h /= 2;
            w /= 2;
        } else if (resample > 0) {
            h *= 2;
            w *= 2;
        }
        conv(h, w, in, out, 3);
        const int64_t embOut = m_config.useScaleShiftNorm ? 2 * out : out;
        flops.linear += linearFlops(m_batch, m_config.timeEmbedDim(), embOut);
        conv(h, w, out, out, 3);
        if (in != out)
            conv(h, w, in, out, 1);
    }

    /// SpatialTransformer (cross-attention) or AttentionBlock (self-attention over pixels).
    void attention(int64_t h, int64_t w, int64_t channels, bool decoder)
    {
        const auto heads = m_config.attentionHeads(channels, decoder);
        if (!heads)
            return;
        const int64_t tokens = h * w;
        if (!m_config.useSpatialTransformer) {
            // qkv and proj_out are 1×1 Conv1d; heads·headDim == channels here.
            flops.conv += convFlops(m_batch, 1, tokens, channels, 3 * channels, 1);
            flops.attention +=
                attentionFlops(m_batch * heads->heads, tokens, tokens, heads->headDim);
            flops.conv += convFlops(m_batch, 1, tokens, channels, channels, 1);
            return;
        }
        const int64_t inner = heads->heads * heads->headDim;
        const int64_t contextDim = m_config.contextDim.value_or(inner);
        const int64_t rows = m_batch * tokens;
        conv(h, w, channels, inner, 1); // proj_in
        for (int64_t d = 0; d < m_config.transformerDepth; ++d) {
            // attn1: self-attention, q, k, v and to_out all inner → inner.
            flops.linear += 4 * linearFlops(rows, inner, inner);
            flops.attention +=
                attentionFlops(m_batch * heads->heads, tokens, tokens, heads->headDim);
            // attn2: queries from x, keys and values from the context.
            flops.linear += 2 * linearFlops(rows, inner, inner);
            flops.linear += 2 * linearFlops(m_batch * m_contextLen, contextDim, inner);
            flops.attention +=
                attentionFlops(m_batch * heads->heads, tokens, m_contextLen, heads->headDim);
            // GEGLU feed-forward: inner → 2·4·inner, then 4·inner → inner.
            flops.linear += linearFlops(rows, inner, 8 * inner);
            flops.linear += linearFlops(rows, 4 * inner, inner);
        }
        conv(h, w, inner, channels, 1); // proj_out
    }

private:
    const UNetConfig& m_config;
    int64_t m_batch;
    int64_t m_contextLen;
};

/// The first-stage blocks, batch 1.
class DecoderCounter
{
public:
    FlopBreakdown flops;

    void resnetBlock(int64_t h, int64_t w, int64_t in, int64_t out)
    {
        flops.conv += convFlops(1, h, w, in, out, 3) + convFlops(1, h, w, out, out, 3);
        if (in != out)
            flops.conv += convFlops(1, h, w, in, out, 1); // nin_shortcut
    }

    /// AttnBlock: q, k, v, proj_out (1×1 convs) and single-head attention over h·w pixels.
    void attnBlock(int64_t h, int64_t w, int64_t c)
    {
        flops.conv += 4 * convFlops(1, h, w, c, c, 1);
        flops.attention += attentionFlops(1, h * w, h * w, c);
    }
};

} // namespace

FlopBreakdown& FlopBreakdown::operator+=(const FlopBreakdown& other)
{
    conv += other.conv;
    linear += other.linear;
    attention += other.attention;
    return *this;
}

FlopBreakdown unetFlopBreakdown(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                                int64_t contextLen)
{
    if (!config.validate() || batch < 1 || h < 1 || w < 1)
        return {};
    UNetCounter count(config, batch, std::max<int64_t>(contextLen, 0));
    const int64_t mc = config.modelChannels;
    const int64_t embDim = config.timeEmbedDim();
    count.flops.linear += linearFlops(batch, mc, embDim) + linearFlops(batch, embDim, embDim);

    // Encoder; skip widths are remembered for the decoder's concatenations.
    count.conv(h, w, config.inChannels, mc, 3);
    std::vector<int64_t> skips{mc};
    int64_t ch = mc;
    int64_t ds = 1;
    int64_t curH = h;
    int64_t curW = w;
    const int64_t levels = config.levels();
    for (int64_t level = 0; level < levels; ++level) {
        const int64_t width = config.channelMult[level] * mc;
        for (int64_t r = 0; r < config.numResBlocks; ++r) {
            count.resBlock(curH, curW, ch, width, 0);
            ch = width;
            if (config.hasAttentionAt(ds))
                count.attention(curH, curW, ch, false);
            skips.push_back(ch);
        }
        if (level == levels - 1)
            continue;
        if (config.resblockUpdown) {
            count.resBlock(curH, curW, ch, ch, -1);
        } else {
            curH /= 2;
            curW /= 2;
            if (config.convResample)
                count.conv(curH, curW, ch, ch, 3); // stride 2, counted at its output
        }
        skips.push_back(ch);
        ds *= 2;
    }

    count.resBlock(curH, curW, ch, ch, 0);
    count.attention(curH, curW, ch, false);
    count.resBlock(curH, curW, ch, ch, 0);

    for (int64_t level = levels - 1; level >= 0; --level) {
        const int64_t width = config.channelMult[level] * mc;
        for (int64_t i = 0; i <= config.numResBlocks; ++i) {
            const int64_t skip = skips.back();
            skips.pop_back();
            count.resBlock(curH, curW, ch + skip, width, 0);
            ch = width;
            if (config.hasAttentionAt(ds))
                count.attention(curH, curW, ch, true);
            if (level > 0 && i == config.numResBlocks) {
                if (config.resblockUpdown) {
                    count.resBlock(curH, curW, ch, ch, +1);
                } else {
                    curH *= 2;
                    curW *= 2;
                    if (config.convResample)
                        count.conv(curH, curW, ch, ch, 3);
                }
                ds /= 2;
            }
        }
    }
    count.conv(curH, curW, mc, config.outChannels, 3);
    return count.flops;
}

int64_t unetFlops(const UNetConfig& config, int64_t batch, int64_t h, int64_t w, int64_t contextLen)
{
    return unetFlopBreakdown(config, batch, h, w, contextLen).total();
}

FlopBreakdown decoderFlopBreakdown(const DDConfig& config, int64_t h, int64_t w)
{
    if (!config.validate() || h < 1 || w < 1)
        return {};
    DecoderCounter count;
    const bool vanilla = config.attnType == AttnType::Vanilla;
    const int64_t levels = config.numLevels();
    int64_t blockIn = config.ch * config.chMult.back();
    // Attention placement follows the nominal size (resolution / f, doubling per level), not
    // the real latent size, exactly as DecoderImpl decides it.
    int64_t nominalRes = config.resolution / config.downFactor();

    count.flops.conv += convFlops(1, h, w, config.zChannels, blockIn, 3);
    count.resnetBlock(h, w, blockIn, blockIn);
    if (vanilla)
        count.attnBlock(h, w, blockIn);
    count.resnetBlock(h, w, blockIn, blockIn);

    int64_t curH = h;
    int64_t curW = w;
    for (int64_t i = levels - 1; i >= 0; --i) {
        const int64_t blockOut = config.ch * config.chMult[i];
        const bool attn = vanilla && config.hasAttentionAt(nominalRes);
        for (int64_t j = 0; j <= config.numResBlocks; ++j) {
            count.resnetBlock(curH, curW, j == 0 ? blockIn : blockOut, blockOut);
            if (attn)
                count.attnBlock(curH, curW, blockOut);
        }
        blockIn = blockOut;
        if (i != 0) {
            curH *= 2;
            curW *= 2;
            nominalRes *= 2;
            count.flops.conv += convFlops(1, curH, curW, blockOut, blockOut, 3);
        }
    }
    count.flops.conv += convFlops(1, curH, curW, blockIn, config.outCh, 3);
    return count.flops;
}

int64_t decoderFlops(const DDConfig& config, int64_t h, int64_t w)
{
    return decoderFlopBreakdown(config, h, w).total();
}

} // namespace ldm
