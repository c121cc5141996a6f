// SPDX-License-Identifier: GPL-3.0-or-later
// The analytic FLOP counts of bench/flop_count.h against three independent counts: layer
// by layer by hand for tiny configs, LibTorch's profiler (per-op FLOPs of the real forward
// pass) for small configs of every block kind, and the published/reference figures for SD 1.x,
// LDM txt2img and the CompVis decoders (shared/reference/cpu-performance.md §5).
#include "checkpoint/yaml_json.h"
#include "first_stage/first_stage.h"
#include "bench/flop_count.h"
#include "unet/unet_model.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

namespace ldm {
namespace {

UNetConfig sdV1Config(int64_t contextDim = 768)
{
    UNetConfig c;
    c.modelChannels = 320;
    c.channelMult = {1, 2, 4, 4};
    c.numResBlocks = 2;
    c.attentionResolutions = {4, 2, 1};
    c.numHeads = 8;
    c.useSpatialTransformer = true;
    c.contextDim = contextDim;
    c.legacy = false;
    return c;
}

UNetConfig smallConfig()
{
    UNetConfig c;
    c.modelChannels = 64;
    c.channelMult = {1, 2, 3};
    c.numResBlocks = 2;
    c.attentionResolutions = {2, 4};
    c.numHeadChannels = 32;
    c.useSpatialTransformer = true;
    c.contextDim = 256;
    return c;
}

DDConfig decoderConfig(int64_t ch, std::vector<int64_t> mult, int64_t zChannels)
{
    DDConfig c;
    c.ch = ch;
    c.chMult = std::move(mult);
    c.zChannels = zChannels;
    c.numResBlocks = 2;
    return c;
}

// The reference figures are given to 0.1 GFLOP.
void expectGflop(int64_t flops, double gflop, const char* what)
{
    EXPECT_NEAR(double(flops) / 1e9, gflop, 0.051) << what;
}

TEST(FlopCount, TinyUNetByHand)
{
    // One level, one ResBlock, no attention in the levels; the middle block always has an
    // AttentionBlock (1 head of 32 channels). Batch 1, 8×8 latent: 64 pixels.
    UNetConfig c;
    c.modelChannels = 32;
    c.channelMult = {1};
    c.numResBlocks = 1;
    c.numHeads = 1;
    const int64_t p = 64;
    const int64_t time = 2 * 32 * 128 + 2 * 128 * 128;
    const int64_t convIn = 2 * p * 32 * 4 * 9;
    const int64_t res32 = 2 * (2 * p * 32 * 32 * 9) + 2 * 128 * 32; // two 3×3 convs + emb
    const int64_t attnConv = 2 * p * 96 * 32 + 2 * p * 32 * 32;     // qkv, proj_out
    const int64_t attnMatmul = 4 * p * p * 32;
    const int64_t res64to32 = 2 * p * 32 * 64 * 9 + 2 * p * 32 * 32 * 9 + 2 * 128 * 32 +
                              2 * p * 32 * 64; // in conv, out conv, emb, 1×1 skip
    const int64_t convOut = 2 * p * 4 * 32 * 9;
    const FlopBreakdown f = unetFlopBreakdown(c, 1, 8, 8, 0);
    EXPECT_EQ(f.attention, attnMatmul);
    EXPECT_EQ(f.linear, time + 5 * 2 * 128 * 32);
    EXPECT_EQ(f.total(),
              time + convIn + 3 * res32 + attnConv + attnMatmul + 2 * res64to32 + convOut);
    EXPECT_EQ(unetFlops(c, 3, 8, 8, 0), 3 * f.total());
}

TEST(FlopCount, TinyDecoderByHand)
{
    // ch 32, mult [1, 2], one ResnetBlock (+1) per level, mid attention; latent 4×4×4.
    DDConfig c = decoderConfig(32, {1, 2}, 4);
    c.numResBlocks = 1;
    c.resolution = 8;
    const int64_t lo = 16, hi = 64; // pixels at 4×4 and 8×8
    const int64_t convIn = 2 * lo * 64 * 4 * 9;
    const int64_t res64 = 2 * (2 * lo * 64 * 64 * 9);
    const int64_t attn = 4 * (2 * lo * 64 * 64) + 4 * lo * lo * 64;
    const int64_t upsample = 2 * hi * 64 * 64 * 9;
    const int64_t res64to32 = 2 * hi * 32 * 64 * 9 + 2 * hi * 32 * 32 * 9 + 2 * hi * 32 * 64;
    const int64_t res32 = 2 * (2 * hi * 32 * 32 * 9);
    const int64_t convOut = 2 * hi * 3 * 32 * 9;
    EXPECT_EQ(decoderFlops(c, 4, 4),
              convIn + 2 * res64 + attn + 2 * res64 + upsample + res64to32 + res32 + convOut);
    EXPECT_EQ(decoderFlopBreakdown(c, 4, 4).attention, 4 * lo * lo * 64);
}

TEST(FlopCount, StableDiffusionMatchesReference)
{
    const FlopBreakdown f = unetFlopBreakdown(sdV1Config(), 1, 64, 64, 77);
    expectGflop(f.total(), 803.3, "SD total");
    expectGflop(f.conv, 443.9, "SD conv");
    expectGflop(f.linear, 233.3, "SD linear");
    expectGflop(f.attention, 126.1, "SD attention");
    EXPECT_NEAR(double(unetFlops(sdV1Config(), 2, 64, 64, 77)) / 1e9, 1606.5, 0.11);
    // LDM txt2img-large: the same UNet with a 1280-wide context, at 32×32.
    const FlopBreakdown large = unetFlopBreakdown(sdV1Config(1280), 1, 32, 32, 77);
    expectGflop(large.total(), 182.1, "txt2img total");
    expectGflop(large.conv, 111.0, "txt2img conv");
    expectGflop(large.linear, 62.5, "txt2img linear");
    expectGflop(large.attention, 8.5, "txt2img attention");
}

TEST(FlopCount, SmallUNetMatchesReference)
{
    const FlopBreakdown f32 = unetFlopBreakdown(smallConfig(), 1, 32, 32, 77);
    expectGflop(f32.total(), 5.2, "small 32 total");
    expectGflop(f32.conv, 3.5, "small 32 conv");
    expectGflop(f32.linear, 1.4, "small 32 linear");
    expectGflop(f32.attention, 0.3, "small 32 attention");
    const FlopBreakdown f64 = unetFlopBreakdown(smallConfig(), 1, 64, 64, 77);
    expectGflop(f64.total(), 22.5, "small 64 total");
    expectGflop(f64.conv, 14.0, "small 64 conv");
    expectGflop(f64.linear, 5.2, "small 64 linear");
    expectGflop(f64.attention, 3.3, "small 64 attention");
}

TEST(FlopCount, DecodersMatchReference)
{
    const DDConfig klF8 = decoderConfig(128, {1, 2, 4, 4}, 4);
    const FlopBreakdown f = decoderFlopBreakdown(klF8, 64, 64);
    expectGflop(f.total(), 2514.5, "KL-f8 512");
    expectGflop(f.conv, 2480.2, "KL-f8 512 conv");
    expectGflop(f.attention, 34.4, "KL-f8 512 attention");
    EXPECT_EQ(f.linear, 0);
    expectGflop(decoderFlops(klF8, 32, 32), 622.2, "KL-f8 256");
    const FlopBreakdown vq = decoderFlopBreakdown(decoderConfig(128, {1, 2, 4}, 3), 64, 64);
    expectGflop(vq.total(), 670.6, "VQ-f4 256");
    expectGflop(vq.conv, 636.2, "VQ-f4 256 conv");
    const FlopBreakdown small = decoderFlopBreakdown(decoderConfig(64, {1, 2, 4}, 3), 64, 64);
    expectGflop(small.total(), 176.4, "small KL-f4 256");
    expectGflop(small.attention, 17.2, "small KL-f4 256 attention");
    // attn_type none removes the mid-block attention and its 1×1 convs.
    DDConfig none = decoderConfig(64, {1, 2, 4}, 3);
    none.attnType = AttnType::None;
    EXPECT_EQ(decoderFlopBreakdown(none, 64, 64).attention, 0);
    EXPECT_LT(decoderFlops(none, 64, 64), small.total() - small.attention);
}

TEST(FlopCount, InvalidConfigCountsNothing)
{
    UNetConfig c = smallConfig();
    c.modelChannels = 50; // not a multiple of 32 groups
    EXPECT_EQ(unetFlops(c, 1, 32, 32, 77), 0);
}

/// FLOPs the profiler sees in `forward`: its own count for conv2d/mm/addmm/bmm (2 per
/// multiply-add), and 1×1 Conv1d counted from the input shapes (the profiler has no formula).
int64_t profiledFlops(const std::function<void()>& forward)
{
    namespace prof = torch::autograd::profiler;
    prof::enableProfilerLegacy(
        prof::ProfilerConfig(prof::ProfilerState::CPU, true, false, false, true));
    forward();
    const prof::thread_event_lists events = prof::disableProfilerLegacy();
    int64_t flops = 0;
    for (const auto& list : events)
        for (const auto& event : list) {
            if (event.kindStr() != "push")
                continue;
            const std::string name = event.name();
            if (name == "aten::conv2d" || name == "aten::mm" || name == "aten::addmm" ||
                name == "aten::bmm") {
                flops += int64_t(const_cast<prof::LegacyEvent&>(event).flops());
            } else if (name == "aten::conv1d") {
                const auto shapes = event.shapes(); // input [N, C, L], weight [O, C, 1]
                flops +=
                    2 * shapes[0][0] * shapes[0][2] * shapes[1][0] * shapes[1][1] * shapes[1][2];
            } else if (name == "aten::baddbmm" || name == "aten::addbmm") {
                ADD_FAILURE() << name << " is not counted by this test";
            }
        }
    return flops;
}

void expectUNetMatchesProfiler(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                               int64_t contextLen)
{
    UNetModel unet(config);
    unet->eval();
    torch::manual_seed(0);
    const torch::Tensor x = torch::randn({batch, config.inChannels, h, w});
    const torch::Tensor t = torch::full({batch}, 10, torch::kLong);
    const torch::Tensor context = config.useSpatialTransformer
                                      ? torch::randn({batch, contextLen, *config.contextDim})
                                      : torch::Tensor();
    const torch::Tensor y =
        config.numClasses ? torch::zeros({batch}, torch::kLong) : torch::Tensor();
    c10::InferenceMode guard;
    const int64_t measured = profiledFlops([&] { unet->forward(x, t, context, y); });
    ASSERT_GT(measured, 0) << "the profiler counted nothing";
    EXPECT_EQ(unetFlops(config, batch, h, w, contextLen), measured);
}

TEST(FlopCount, UNetMatchesProfilerCrossAttention)
{
    UNetConfig c;
    c.modelChannels = 32;
    c.channelMult = {1, 2};
    c.numResBlocks = 1;
    c.attentionResolutions = {1, 2};
    c.numHeads = 2;
    c.useSpatialTransformer = true;
    c.transformerDepth = 2;
    c.contextDim = 24;
    c.legacy = false;
    expectUNetMatchesProfiler(c, 2, 8, 12, 5);
}

TEST(FlopCount, UNetMatchesProfilerSelfAttentionAndUpDown)
{
    UNetConfig c;
    c.inChannels = 7; // concat conditioning
    c.outChannels = 3;
    c.modelChannels = 32;
    c.channelMult = {1, 2, 2};
    c.numResBlocks = 2;
    c.attentionResolutions = {2, 4};
    c.numHeadChannels = 16;
    c.useScaleShiftNorm = true;
    c.resblockUpdown = true;
    c.useNewAttentionOrder = true;
    c.numClasses = 10;
    expectUNetMatchesProfiler(c, 1, 8, 8, 0);
}

TEST(FlopCount, UNetMatchesProfilerPoolResample)
{
    UNetConfig c;
    c.modelChannels = 32;
    c.channelMult = {1, 3};
    c.numResBlocks = 1;
    c.attentionResolutions = {2};
    c.numHeads = 4;
    c.convResample = false;
    expectUNetMatchesProfiler(c, 1, 16, 8, 0);
}

TEST(FlopCount, DecoderMatchesProfiler)
{
    AutoencoderConfig config;
    config.ddconfig = decoderConfig(32, {1, 2, 2}, 4);
    config.ddconfig.resolution = 16;
    config.ddconfig.attnResolutions = {8};
    auto stage = FirstStage::create(config);
    ASSERT_TRUE(stage.ok());
    const torch::Tensor z = torch::randn({1, 4, 4, 6});
    c10::InferenceMode guard;
    Decoder decoder = stage->kl()->decoder; // a non-const holder: forward() is non-const
    const int64_t measured = profiledFlops([&] { decoder->forward(z); });
    EXPECT_EQ(decoderFlops(config.ddconfig, 4, 6), measured);
}

TEST(FlopCount, ShippedBenchConfigsParse)
{
    const char* source = std::getenv("LDM_SOURCE_DIR");
    if (!source)
        GTEST_SKIP() << "LDM_SOURCE_DIR not set (run through ctest)";
    for (const char* name : {"sd_v1", "small_unet"}) {
        auto yaml = readYamlAsJson(std::string(source) + "/resources/bench/" + name + ".yaml");
        ASSERT_TRUE(yaml.ok()) << name << ": " << yaml.error().message;
        const auto& params = (*yaml)["model"]["params"];
        auto unet = UNetConfig::fromJson(params["unet_config"]["params"]);
        ASSERT_TRUE(unet.ok()) << name << ": " << unet.error().message;
        auto stage = AutoencoderConfig::fromJson(params["first_stage_config"]["params"]);
        ASSERT_TRUE(stage.ok()) << name << ": " << stage.error().message;
        if (std::string(name) == "sd_v1") {
            expectGflop(unetFlops(*unet, 1, 64, 64, 77), 803.3, "sd_v1.yaml");
            expectGflop(decoderFlops(stage->ddconfig, 64, 64), 2514.5, "sd_v1.yaml decoder");
        } else {
            expectGflop(unetFlops(*unet, 1, 32, 32, 77), 5.2, "small_unet.yaml");
            auto model = makeUNetModel(*unet);
            ASSERT_TRUE(model.ok());
            EXPECT_NEAR(double(parameterCount(**model)) / 1e6, 16.5, 0.05);
        }
    }
}

} // namespace
} // namespace ldm
