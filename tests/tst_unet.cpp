// SPDX-License-Identifier: GPL-3.0-or-later
// UNetModel without reference outputs: config parsing and validation, state-dict names and
// shapes for every layout family (the public listing of unet_xattn included), head rules,
// output shapes, and hand-written checks of the attention kernels and ResBlock variants.
// Numeric parity with the reference lives in tst_parity.
#include "unet/attention_block.h"
#include "unet/attention_ops.h"
#include "unet/res_block.h"
#include "unet/spatial_transformer.h"
#include "unet/timestep_embedding.h"
#include "unet/unet_model.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace ldm;
using namespace ldm::unet;
using Json = nlohmann::json;
using Shapes = std::map<std::string, std::vector<int64_t>>;

namespace {

const char* XattnConfig = R"({"image_size": 8, "in_channels": 4, "out_channels": 4,
    "model_channels": 32, "attention_resolutions": [1], "num_res_blocks": 2,
    "channel_mult": [1, 2], "num_heads": 2, "use_spatial_transformer": true,
    "transformer_depth": 1, "context_dim": 32, "use_checkpoint": false, "legacy": false})";

UNetConfig parse(const std::string& text)
{
    auto config = UNetConfig::fromJson(Json::parse(text));
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return config.ok() ? config.value() : UNetConfig{};
}

UNetModel build(const std::string& text)
{
    auto model = makeUNetModel(parse(text));
    if (!model.ok())
        throw std::runtime_error(model.error().message);
    return model.value();
}

Shapes shapes(const torch::nn::Module& module)
{
    Shapes out;
    for (const auto& p : module.named_parameters())
        out[p.key()] = p.value().sizes().vec();
    for (const auto& b : module.named_buffers())
        out[b.key()] = b.value().sizes().vec();
    return out;
}

void expectShape(const Shapes& s, const std::string& key, std::vector<int64_t> shape)
{
    auto it = s.find(key);
    ASSERT_NE(it, s.end()) << "missing key " << key;
    EXPECT_EQ(it->second, shape) << key;
}

bool hasPrefix(const Shapes& s, const std::string& prefix)
{
    auto it = s.lower_bound(prefix);
    return it != s.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}


// Runs the model on random input and returns the output.
torch::Tensor run(UNetModel& model, int64_t h, int64_t w, const torch::Tensor& context = {},
                  const torch::Tensor& y = {})
{
    torch::InferenceMode guard;
    model->eval();
    const auto& c = model->config();
    const torch::Tensor x = torch::randn({2, c.inChannels, h, w});
    return model->forward(x, torch::tensor({3, 999}), context, y);
}

} // namespace

TEST(UNetConfig, ParsesAndRoundTrips)
{
    const UNetConfig c = parse(XattnConfig);
    EXPECT_EQ(c.modelChannels, 32);
    EXPECT_EQ(c.channelMult, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(c.contextDim, std::optional<int64_t>(32));
    EXPECT_FALSE(c.legacy);
    EXPECT_EQ(c.numHeadChannels, -1);
    EXPECT_EQ(c.timeEmbedDim(), 128);
    auto again = UNetConfig::fromJson(c.toJson());
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->toJson(), c.toJson());
}

TEST(UNetConfig, RejectsWithClearMessages)
{
    // (JSON merge patch on the unet_xattn config, expected message fragment); null removes.
    const std::vector<std::pair<const char*, const char*>> cases{
        {R"({"channel_mult": [2, 4]})", "channel_mult[0]"},
        {R"({"model_channels": 48})", "multiple of 32"},
        {R"({"context_dim": null})", "context_dim"},
        {R"({"use_spatial_transformer": false})", "use_spatial_transformer is false"},
        {R"({"num_heads": -1})", "num_head_channels"},
        {R"({"use_spatial_transformer": false, "context_dim": null, "num_heads": 3})",
         "does not divide"},
        {R"({"dims": 3})", "dims"},
        {R"({"model_channels": "32"})", "model_channels"},
        {R"({"in_channels": null})", "in_channels"},
    };
    for (const auto& [patch, fragment] : cases) {
        Json j = Json::parse(XattnConfig);
        j.merge_patch(Json::parse(patch));
        auto c = UNetConfig::fromJson(j);
        ASSERT_FALSE(c.ok()) << patch;
        EXPECT_EQ(c.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(c.error().message.find(fragment), std::string::npos) << c.error().message;
    }
    EXPECT_FALSE(UNetConfig::fromJson(Json::array()).ok());
    EXPECT_FALSE(makeUNetModel(UNetConfig{}).ok()); // no heads given
}

TEST(UNetLayout, LinearTransformerProjectionsAreLinearLayers)
{
    // SD-2.x: use_linear_in_transformer turns proj_in / proj_out into Linear [C, C].
    Json j = Json::parse(XattnConfig);
    j["use_linear_in_transformer"] = true;
    auto config = UNetConfig::fromJson(j);
    ASSERT_TRUE(config.ok()) << config.error().message;
    UNetModel model(*config);
    int linear = 0;
    for (const auto& p : model->named_parameters())
        if (p.key().find("proj_in.weight") != std::string::npos) {
            EXPECT_EQ(p.value().dim(), 2) << p.key();
            ++linear;
        }
    EXPECT_GT(linear, 0);
    const auto x = torch::randn({1, config->inChannels, 16, 16});
    const auto context = torch::randn({1, 5, *config->contextDim});
    const auto out = model->forward(x, torch::full({1}, 10, torch::kLong), context);
    EXPECT_EQ(out.sizes(), x.sizes());
}

TEST(UNetLayout, CrossAttentionMatchesPublicListing)
{
    const auto file = ldm::testing::keyListing("unet_xattn.keys.txt");
    std::ifstream in(file);
    ASSERT_TRUE(in) << "no listing at " << file << " (run through ctest)";
    UNetModel model = build(XattnConfig);
    std::vector<std::pair<std::string, std::vector<int64_t>>> ours;
    for (const auto& p : model->named_parameters())
        ours.emplace_back(p.key(), p.value().sizes().vec());
    const std::string prefix = "model.diffusion_model.";
    std::string line;
    size_t row = 0;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        std::string name = line.substr(0, tab);
        ASSERT_EQ(name.compare(0, prefix.size(), prefix), 0) << name;
        name = name.substr(prefix.size());
        std::vector<int64_t> shape;
        std::stringstream dims(line.substr(tab + 2));
        for (int64_t d; dims >> d;) {
            shape.push_back(d);
            dims.ignore(1);
        }
        ASSERT_LT(row, ours.size()) << "model lacks " << name;
        EXPECT_EQ(ours[row].first, name) << "row " << row;
        EXPECT_EQ(ours[row].second, shape) << name;
        ++row;
    }
    EXPECT_EQ(row, ours.size()) << "model has extra parameters";
    EXPECT_EQ(row, 304u);
}

TEST(UNetLayout, Txt2ImgLayoutAtTinyWidth)
{
    // txt2img-1p4B: mult 1,2,4,4, nrb 2, attn 4,2,1, num_heads 8, legacy false.
    UNetModel model = build(R"({"in_channels": 4, "out_channels": 4, "model_channels": 32,
        "attention_resolutions": [4, 2, 1], "num_res_blocks": 2, "channel_mult": [1, 2, 4, 4],
        "num_heads": 8, "use_spatial_transformer": true, "transformer_depth": 1,
        "context_dim": 24, "legacy": false})");
    const Shapes s = shapes(*model);
    EXPECT_EQ(model->inputBlocks().size(), 12u);
    EXPECT_EQ(model->outputBlocks().size(), 12u);
    for (int i : {1, 2, 4, 5, 7, 8})
        EXPECT_TRUE(hasPrefix(s, "input_blocks." + std::to_string(i) + ".1.proj_in")) << i;
    for (int i : {10, 11})
        EXPECT_FALSE(hasPrefix(s, "input_blocks." + std::to_string(i) + ".1.")) << i;
    for (int i : {3, 6, 9})
        expectShape(s, "input_blocks." + std::to_string(i) + ".0.op.weight",
                    {i == 3   ? 32
                     : i == 6 ? 64
                              : 128,
                     i == 3   ? 32
                     : i == 6 ? 64
                              : 128,
                     3, 3});
    expectShape(s, "output_blocks.2.1.conv.weight", {128, 128, 3, 3});
    expectShape(s, "output_blocks.5.2.conv.weight", {128, 128, 3, 3});
    expectShape(s, "output_blocks.8.2.conv.weight", {64, 64, 3, 3});
    expectShape(s, "output_blocks.5.0.in_layers.2.weight", {128, 192, 3, 3}); // 1280+640 scaled
    expectShape(s, "output_blocks.8.0.in_layers.2.weight", {64, 96, 3, 3});   // 640+320 scaled
    expectShape(s, "output_blocks.8.1.transformer_blocks.0.attn2.to_k.weight", {64, 24});
    expectShape(s, "middle_block.1.transformer_blocks.0.ff.net.0.proj.weight", {1024, 128});
    const auto& st = std::get<SpatialTransformer>(model->middleBlock()->at(1));
    EXPECT_EQ(st->heads(), 8);
    EXPECT_EQ(st->dimHead(), 16);
    EXPECT_EQ(run(model, 24, 40, torch::randn({2, 5, 24})).sizes(),
              (std::vector<int64_t>{2, 4, 24, 40}));
}

TEST(UNetLayout, ClassConditionalLabelEmbedding)
{
    UNetModel model = build(R"({"in_channels": 3, "out_channels": 3, "model_channels": 32,
        "attention_resolutions": [2], "num_res_blocks": 1, "channel_mult": [1, 2],
        "num_heads": 2, "num_classes": 10})");
    const Shapes s = shapes(*model);
    expectShape(s, "label_emb.weight", {10, 128});
    expectShape(s, "input_blocks.3.1.qkv.weight", {192, 64, 1});
    const torch::Tensor x = torch::randn({2, 3, 6, 10});
    torch::InferenceMode guard;
    model->eval();
    const torch::Tensor t = torch::tensor({5, 5});
    const torch::Tensor a = model->forward(x, t, {}, torch::tensor({1, 2}));
    const torch::Tensor b = model->forward(x, t, {}, torch::tensor({1, 7}));
    EXPECT_TRUE(torch::equal(a[0], b[0]));
    EXPECT_FALSE(torch::allclose(a[1], b[1]));
    EXPECT_THROW(model->forward(x, t), c10::Error);
}

TEST(UNetLayout, ClassEmbedderCrossAttention)
{
    // cin256-v2: num_heads 1, legacy default (true), context [B, 1, 512].
    UNetModel model = build(R"({"in_channels": 3, "out_channels": 3, "model_channels": 32,
        "attention_resolutions": [2, 1], "num_res_blocks": 2, "channel_mult": [1, 2, 3],
        "num_heads": 1, "use_spatial_transformer": true, "transformer_depth": 2,
        "context_dim": 16})");
    const Shapes s = shapes(*model);
    expectShape(s, "input_blocks.1.1.transformer_blocks.1.attn2.to_v.weight", {32, 16});
    expectShape(s, "input_blocks.4.1.proj_in.weight", {64, 64, 1, 1});
    EXPECT_FALSE(hasPrefix(s, "input_blocks.7.1."));
    expectShape(s, "middle_block.1.proj_out.weight", {96, 96, 1, 1});
    EXPECT_EQ(run(model, 12, 20, torch::randn({2, 1, 16})).sizes(),
              (std::vector<int64_t>{2, 3, 12, 20}));
}

TEST(UNetLayout, ScaleShiftAndResblockUpdown)
{
    // lsun_churches: use_scale_shift_norm + resblock_updown, AttentionBlocks with num_heads.
    UNetModel model = build(R"({"in_channels": 4, "out_channels": 4, "model_channels": 32,
        "attention_resolutions": [2, 4], "num_res_blocks": 1, "channel_mult": [1, 2, 2],
        "num_heads": 2, "use_scale_shift_norm": true, "resblock_updown": true})");
    const Shapes s = shapes(*model);
    expectShape(s, "input_blocks.1.0.emb_layers.1.weight", {64, 128});
    expectShape(s, "input_blocks.3.0.emb_layers.1.weight", {128, 128});
    expectShape(s, "input_blocks.2.0.in_layers.2.weight", {32, 32, 3, 3}); // down ResBlock
    EXPECT_FALSE(hasPrefix(s, "input_blocks.2.0.skip_connection"));
    EXPECT_FALSE(hasPrefix(s, "input_blocks.2.0.op"));
    expectShape(s, "output_blocks.1.2.emb_layers.1.weight", {128, 128}); // up ResBlock
    expectShape(s, "output_blocks.1.2.out_layers.3.weight", {64, 64, 3, 3});
    expectShape(s, "output_blocks.3.2.in_layers.0.weight", {64});
    expectShape(s, "input_blocks.5.1.qkv.weight", {192, 64, 1});
    for (const auto& [key, shape] : s)
        EXPECT_EQ(key.find(".conv."), std::string::npos) << key;
    EXPECT_EQ(run(model, 12, 4).sizes(), (std::vector<int64_t>{2, 4, 12, 4}));
}

TEST(UNetLayout, SemanticConcatWithMiddleAttentionOnly)
{
    // semantic_synthesis256: in 6 (latent + rescaled map), attn 32,16,8 never matches ds.
    UNetModel model = build(R"({"in_channels": 6, "out_channels": 3, "model_channels": 32,
        "attention_resolutions": [32, 16, 8], "num_res_blocks": 2, "channel_mult": [1, 4, 8],
        "num_heads": 8})");
    const Shapes s = shapes(*model);
    expectShape(s, "input_blocks.0.0.weight", {32, 6, 3, 3});
    expectShape(s, "out.2.weight", {3, 32, 3, 3});
    for (const auto& [key, shape] : s) {
        if (key.find("qkv") != std::string::npos) {
            EXPECT_EQ(key.rfind("middle_block.1.", 0), 0u) << key;
        }
    }
    expectShape(s, "middle_block.1.qkv.weight", {768, 256, 1});
    expectShape(s, "middle_block.1.qkv.bias", {768});
    expectShape(s, "middle_block.1.proj_out.weight", {256, 256, 1});
    EXPECT_EQ(std::get<AttentionBlock>(model->middleBlock()->at(1))->heads(), 8);
    EXPECT_EQ(run(model, 4, 12).sizes(), (std::vector<int64_t>{2, 3, 4, 12}));
}

TEST(UNetLayout, SuperResolutionHeadChannels)
{
    // bsr_sr: mult 1,2,2,4, attn 16,8, num_head_channels 32: attention only at ds 8 + middle.
    UNetModel model = build(R"({"in_channels": 6, "out_channels": 3, "model_channels": 32,
        "attention_resolutions": [16, 8], "num_res_blocks": 2, "channel_mult": [1, 2, 2, 4],
        "num_head_channels": 32})");
    const Shapes s = shapes(*model);
    for (int i = 1; i <= 11; ++i)
        EXPECT_EQ(hasPrefix(s, "input_blocks." + std::to_string(i) + ".1.qkv"), i >= 10) << i;
    for (int i = 0; i < 12; ++i)
        EXPECT_EQ(hasPrefix(s, "output_blocks." + std::to_string(i) + ".1.qkv"), i <= 2) << i;
    EXPECT_EQ(std::get<AttentionBlock>(model->inputBlocks()[10]->at(1))->heads(), 4);
    EXPECT_EQ(run(model, 8, 24).sizes(), (std::vector<int64_t>{2, 3, 8, 24}));
    EXPECT_THROW(run(model, 12, 24), c10::Error); // 12 is not a multiple of 8
}

TEST(UNetLayout, HeadRules)
{
    UNetConfig c = parse(R"({"in_channels": 4, "out_channels": 4, "model_channels": 64,
        "attention_resolutions": [1], "num_res_blocks": 1, "channel_mult": [1],
        "num_heads": 4, "num_heads_upsample": 2})");
    // legacy AttentionBlock: encoder num_heads, decoder num_heads_upsample.
    EXPECT_EQ(c.attentionHeads(64, false)->heads, 4);
    EXPECT_EQ(c.attentionHeads(64, true)->heads, 2);
    // non-legacy: AttentionBlock gets ch // num_heads as head width, so upsample is ignored.
    c.legacy = false;
    EXPECT_EQ(c.attentionHeads(64, true)->heads, 4);
    // num_head_channels wins.
    c.numHeadChannels = 16;
    EXPECT_EQ(c.attentionHeads(64, true)->heads, 4);
    EXPECT_EQ(c.attentionHeads(128, false)->heads, 8);
    // spatial transformer: (heads, ch // heads).
    c.useSpatialTransformer = true;
    c.contextDim = 8;
    c.numHeadChannels = -1;
    EXPECT_EQ(c.attentionHeads(96, true)->headDim, 24);
    UNetModel model = makeUNetModel(parse(R"({"in_channels": 4, "out_channels": 4,
        "model_channels": 64, "attention_resolutions": [1], "num_res_blocks": 1,
        "channel_mult": [1], "num_heads": 4, "num_heads_upsample": 2})"))
                          .value();
    EXPECT_EQ(std::get<AttentionBlock>(model->inputBlocks()[1]->at(1))->heads(), 4);
    EXPECT_EQ(std::get<AttentionBlock>(model->outputBlocks()[0]->at(1))->heads(), 2);
}

TEST(UNetOps, TimestepEmbedding)
{
    const torch::Tensor t = torch::tensor({0, 1, 999});
    const torch::Tensor e = timestepEmbedding(t, 33);
    ASSERT_EQ(e.sizes(), (std::vector<int64_t>{3, 33}));
    EXPECT_EQ(e.scalar_type(), torch::kFloat);
    for (int64_t b = 0; b < 3; ++b)
        for (int64_t i = 0; i < 16; ++i) {
            const double arg = t[b].item<double>() * std::exp(-std::log(10000.0) * i / 16.0);
            EXPECT_NEAR(e[b][i].item<double>(), std::cos(arg), 1e-4);
            EXPECT_NEAR(e[b][16 + i].item<double>(), std::sin(arg), 1e-4);
        }
    EXPECT_EQ(e.select(1, 32).abs().max().item<float>(), 0.0f);
}

TEST(UNetOps, QkvAttentionLegacyMatchesPerHeadLoop)
{
    const int64_t batch = 2, heads = 3, ch = 4, length = 5;
    const torch::Tensor qkv = torch::randn({batch, heads * 3 * ch, length}, torch::kDouble);
    const torch::Tensor ours = qkvAttentionLegacy(qkv, heads);
    const torch::Tensor newOrder = qkvAttention(qkv, heads);
    ASSERT_EQ(ours.sizes(), (std::vector<int64_t>{batch, heads * ch, length}));
    auto a = qkv.accessor<double, 3>();
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t h = 0; h < heads; ++h)
            for (int layout = 0; layout < 2; ++layout) {
                // legacy: head h owns rows [h*3ch, (h+1)*3ch) as q|k|v; new: q|k|v blocks.
                const auto row = [&](int which, int64_t c) {
                    return layout == 0 ? h * 3 * ch + which * ch + c
                                       : which * heads * ch + h * ch + c;
                };
                for (int64_t t = 0; t < length; ++t) {
                    std::vector<double> w(length);
                    double sum = 0, maxv = -1e300;
                    for (int64_t s = 0; s < length; ++s) {
                        for (int64_t c = 0; c < ch; ++c)
                            w[s] += a[b][row(0, c)][t] * a[b][row(1, c)][s];
                        w[s] /= std::sqrt(double(ch));
                        maxv = std::max(maxv, w[s]);
                    }
                    for (auto& v : w)
                        sum += (v = std::exp(v - maxv));
                    for (int64_t c = 0; c < ch; ++c) {
                        double out = 0;
                        for (int64_t s = 0; s < length; ++s)
                            out += w[s] / sum * a[b][row(2, c)][s];
                        const auto& got = layout == 0 ? ours : newOrder;
                        EXPECT_NEAR(got[b][h * ch + c][t].item<double>(), out, 1e-12);
                    }
                }
            }
}

TEST(UNetOps, BlockedAttentionMatchesDirectFormula)
{
    // Over 1 Mi score elements: split into blocks of heads (first) and of query rows (second).
    torch::manual_seed(3);
    for (const auto& dims :
         std::vector<std::vector<int64_t>>{{6, 700, 900, 8}, {2, 2000, 1500, 4}}) {
        const int64_t g = dims[0], n = dims[1], m = dims[2], d = dims[3];
        const torch::Tensor q = torch::randn({g, n, d}, torch::kDouble);
        const torch::Tensor k = torch::randn({g, m, d}, torch::kDouble);
        const torch::Tensor v = torch::randn({g, m, d + 1}, torch::kDouble);
        const torch::Tensor expected =
            torch::bmm(torch::softmax(torch::bmm(q, k.transpose(1, 2)) * 0.3, -1), v);
        EXPECT_TRUE(
            torch::allclose(scaledDotProductAttention(q, k, v, 0.3), expected, 1e-10, 1e-12));
    }
}

TEST(UNetOps, ResBlockScaleShiftAndResampling)
{
    torch::NoGradGuard noGrad;
    for (auto resample : {ResBlockResample::None, ResBlockResample::Down, ResBlockResample::Up}) {
        ResBlock block(ResBlockConfig{32, 16, 32, true, resample});
        block->to(torch::kDouble);
        const torch::Tensor x = torch::randn({2, 32, 4, 6}, torch::kDouble);
        const torch::Tensor emb = torch::randn({2, 16}, torch::kDouble);
        auto p = block->named_parameters();
        const auto gn = [&](const torch::Tensor& v, const std::string& name) {
            return torch::group_norm(v, 32, p[name + ".weight"], p[name + ".bias"], 1e-5);
        };
        const auto conv = [&](const torch::Tensor& v, const std::string& name) {
            return torch::conv2d(v, p[name + ".weight"], p[name + ".bias"], {1, 1}, {1, 1});
        };
        const auto resize = [&](const torch::Tensor& v) {
            if (resample == ResBlockResample::Down)
                return torch::avg_pool2d(v, 2, 2);
            if (resample == ResBlockResample::Up)
                return v.repeat_interleave(2, 2).repeat_interleave(2, 3);
            return v;
        };
        torch::Tensor h = conv(resize(torch::silu(gn(x, "in_layers.0"))), "in_layers.2");
        const torch::Tensor e =
            torch::linear(torch::silu(emb), p["emb_layers.1.weight"], p["emb_layers.1.bias"]);
        const torch::Tensor scale = e.narrow(1, 0, 32).view({2, 32, 1, 1});
        const torch::Tensor shift = e.narrow(1, 32, 32).view({2, 32, 1, 1});
        h = conv(torch::silu(gn(h, "out_layers.0") * (1 + scale) + shift), "out_layers.3");
        const torch::Tensor expected = resize(x) + h;
        EXPECT_TRUE(torch::allclose(block->forward(x, emb), expected, 1e-10, 1e-10));
    }
}

TEST(UNetOps, AttentionBlockResidualAndShape)
{
    torch::NoGradGuard noGrad;
    AttentionBlock block(AttentionBlockConfig{64, 4, false});
    const torch::Tensor x = torch::randn({2, 64, 3, 5});
    EXPECT_EQ(block->forward(x).sizes(), x.sizes());
    // Zeroing proj_out leaves only the residual.
    for (auto& p : block->named_parameters())
        if (p.key().rfind("proj_out", 0) == 0)
            p.value().zero_();
    EXPECT_TRUE(torch::equal(block->forward(x), x));
}

TEST(UNetModelTrace, ReportsEveryBlock)
{
    UNetModel model = build(XattnConfig);
    std::vector<std::string> names;
    model->setTrace([&](const std::string& name, const torch::Tensor&) { names.push_back(name); });
    run(model, 8, 8, torch::randn({2, 16, 32}));
    ASSERT_EQ(names.size(), 2u + 6u + 1u + 6u);
    EXPECT_EQ(names[0], "t_emb");
    EXPECT_EQ(names[1], "emb");
    EXPECT_EQ(names[2], "input_blocks.0");
    EXPECT_EQ(names[8], "middle_block");
    EXPECT_EQ(names[14], "output_blocks.5");
    EXPECT_GT(parameterCount(*model), 0);
}

TEST(UNetModelDtype, BFloat16FollowsFloat32)
{
    // bf16 weights: norms and softmax run in float32 inside, the output comes back in x's dtype.
    UNetModel model = build(R"({"in_channels": 4, "out_channels": 4, "model_channels": 32,
        "attention_resolutions": [1, 2], "num_res_blocks": 1, "channel_mult": [1, 2],
        "num_heads": 2, "use_spatial_transformer": true, "context_dim": 16,
        "use_scale_shift_norm": true, "resblock_updown": true, "num_classes": 3})");
    torch::InferenceMode guard;
    model->eval();
    const torch::Tensor x = torch::randn({2, 4, 8, 8});
    const torch::Tensor t = torch::tensor({10, 900});
    const torch::Tensor context = torch::randn({2, 3, 16});
    const torch::Tensor y = torch::tensor({0, 2});
    const torch::Tensor ref = model->forward(x, t, context, y);
    model->to(torch::kBFloat16);
    const torch::Tensor low = model->forward(x, t, context, y);
    EXPECT_EQ(low.scalar_type(), torch::kFloat);
    const double rel = ((low - ref).norm() / ref.norm()).item<double>();
    EXPECT_LT(rel, 0.05) << "bf16 relative error " << rel;
}
