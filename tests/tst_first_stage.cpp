// SPDX-License-Identifier: GPL-3.0-or-later
// First stage without reference outputs: state-dict names and shapes, the quantiser against a
// brute-force search, shapes for f4/f8, config parsing, and attention placement by `resolution`.
#include "first_stage/first_stage.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace ldm {
namespace {

// The config of shared/fixtures/parity/autoencoder_kl.safetensors.
const char* FixtureKlConfig = R"({
    "ddconfig": {"double_z": true, "z_channels": 4, "resolution": 16, "in_channels": 3,
                 "out_ch": 3, "ch": 32, "ch_mult": [1, 2], "num_res_blocks": 1,
                 "attn_resolutions": [8], "dropout": 0.0},
    "embed_dim": 4})";

AutoencoderConfig parseConfig(const std::string& json)
{
    auto config = AutoencoderConfig::fromJson(nlohmann::json::parse(json));
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return config.ok() ? config.value() : AutoencoderConfig{};
}

// A small config: ch 32, one res block, `chMult` levels, z = embed = 3.
AutoencoderConfig tinyConfig(std::vector<int64_t> chMult, int64_t nEmbed,
                             std::vector<int64_t> attnResolutions = {},
                             AttnType attn = AttnType::Vanilla, int64_t resolution = 32)
{
    AutoencoderConfig config;
    config.ddconfig.doubleZ = nEmbed == 0;
    config.ddconfig.zChannels = 3;
    config.ddconfig.resolution = resolution;
    config.ddconfig.ch = 32;
    config.ddconfig.chMult = std::move(chMult);
    config.ddconfig.numResBlocks = 1;
    config.ddconfig.attnResolutions = std::move(attnResolutions);
    config.ddconfig.attnType = attn;
    config.embedDim = 3;
    config.nEmbed = nEmbed;
    return config;
}

FirstStage makeStage(const AutoencoderConfig& config)
{
    auto stage = FirstStage::create(config);
    if (!stage.ok())
        throw std::runtime_error(stage.error().message);
    return std::move(stage).value();
}

std::string shapeText(c10::IntArrayRef sizes)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < sizes.size(); ++i)
        out << (i ? ", " : "") << sizes[i];
    out << ']';
    return out.str();
}

// "name\t[shape]" for every parameter and buffer, in registration order (= state_dict order).
std::vector<std::string> keyListing(const torch::nn::Module& module)
{
    std::vector<std::string> lines;
    for (const auto& item : module.named_parameters())
        lines.push_back(item.key() + "\t" + shapeText(item.value().sizes()));
    for (const auto& item : module.named_buffers())
        lines.push_back(item.key() + "\t" + shapeText(item.value().sizes()));
    return lines;
}

std::map<std::string, std::vector<int64_t>> keyShapes(const torch::nn::Module& module)
{
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& item : module.named_parameters())
        shapes[item.key()] = item.value().sizes().vec();
    return shapes;
}

bool hasKeyContaining(const torch::nn::Module& module, const std::string& part)
{
    for (const auto& item : module.named_parameters())
        if (item.key().find(part) != std::string::npos)
            return true;
    return false;
}


TEST(FirstStageKeys, KlMatchesReferenceListing)
{
    const auto path = ldm::testing::keyListing("autoencoder_kl.keys.txt");
    std::ifstream in(path);
    ASSERT_TRUE(in) << "no key listing at " << path << " (run through ctest)";
    const std::string prefix = "first_stage_model.";
    std::vector<std::string> expected;
    for (std::string line; std::getline(in, line);) {
        if (line.empty())
            continue;
        ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
        expected.push_back(line.substr(prefix.size()));
    }
    const auto stage = makeStage(parseConfig(FixtureKlConfig));
    EXPECT_EQ(keyListing(stage.module()), expected);
}

TEST(FirstStageKeys, VqNoAttnHasNoAttentionAndHasCodebook)
{
    // vq-f4-noattn in miniature; attn_resolutions names a level, attn_type none must win.
    const auto stage = makeStage(tinyConfig({1, 2, 4}, 16, {8}, AttnType::None, 32));
    const auto& module = stage.module();
    EXPECT_FALSE(hasKeyContaining(module, "attn"));
    const auto shapes = keyShapes(module);
    EXPECT_EQ(shapes.at("quantize.embedding.weight"), (std::vector<int64_t>{16, 3}));
    EXPECT_EQ(shapes.at("quant_conv.weight"), (std::vector<int64_t>{3, 3, 1, 1}));
    EXPECT_EQ(shapes.at("post_quant_conv.weight"), (std::vector<int64_t>{3, 3, 1, 1}));
    EXPECT_EQ(shapes.at("encoder.conv_out.weight"), (std::vector<int64_t>{3, 128, 3, 3}));
    EXPECT_EQ(shapes.at("decoder.conv_in.weight"), (std::vector<int64_t>{128, 3, 3, 3}));
    EXPECT_EQ(shapes.count("decoder.up.2.block.1.conv1.weight"), 1u); // nrb + 1 blocks
    EXPECT_EQ(shapes.count("decoder.up.0.upsample.conv.weight"), 0u);
    EXPECT_EQ(shapes.count("encoder.down.2.downsample.conv.weight"), 0u);
    for (const auto& [name, shape] : shapes)
        EXPECT_EQ(name.rfind("loss", 0), std::string::npos) << name;
}

TEST(FirstStageKeys, VanillaVqHasMidAttention)
{
    const auto stage = makeStage(tinyConfig({1, 2, 4}, 16));
    const auto shapes = keyShapes(stage.module());
    EXPECT_EQ(shapes.count("encoder.mid.attn_1.q.weight"), 1u);
    EXPECT_EQ(shapes.count("decoder.mid.attn_1.proj_out.weight"), 1u);
    EXPECT_FALSE(hasKeyContaining(stage.module(), ".attn.")); // no level attention
}

TEST(FirstStageAttention, ResolutionNotInputSizeDecidesPlacement)
{
    // Levels have nominal sizes 32, 16, 8 with resolution 32, and 16, 8, 4 with resolution 16.
    const auto at32 = makeStage(tinyConfig({1, 2, 2}, 0, {16}, AttnType::Vanilla, 32));
    const auto at16 = makeStage(tinyConfig({1, 2, 2}, 0, {16}, AttnType::Vanilla, 16));
    const auto keys32 = keyShapes(at32.module());
    const auto keys16 = keyShapes(at16.module());
    EXPECT_EQ(keys32.count("encoder.down.1.attn.0.q.weight"), 1u);
    EXPECT_EQ(keys32.count("encoder.down.0.attn.0.q.weight"), 0u);
    EXPECT_EQ(keys32.count("decoder.up.1.attn.1.q.weight"), 1u);
    EXPECT_EQ(keys32.count("decoder.up.0.attn.0.q.weight"), 0u);
    EXPECT_EQ(keys16.count("encoder.down.0.attn.0.q.weight"), 1u);
    EXPECT_EQ(keys16.count("encoder.down.1.attn.0.q.weight"), 0u);
    EXPECT_EQ(keys16.count("decoder.up.0.attn.1.q.weight"), 1u);
    EXPECT_EQ(keys16.count("decoder.up.1.attn.0.q.weight"), 0u);

    // At an input size unrelated to `resolution` the level attention still runs: perturbing it
    // changes the latent.
    torch::manual_seed(1);
    c10::InferenceMode guard;
    const auto x = torch::rand({1, 3, 24, 40}) * 2 - 1;
    const auto before = at32.encodeLatent(x);
    at32.kl()->encoder->down[1]->attns[0]->projOut->bias.add_(1.0);
    const auto after = at32.encodeLatent(x);
    EXPECT_EQ(before.sizes(), after.sizes());
    EXPECT_GT((before - after).abs().max().item<double>(), 1e-3);
}

TEST(FirstStageAttention, ChunkedQueriesMatchFullAttention)
{
    torch::manual_seed(2);
    c10::InferenceMode guard;
    AttnBlock block(32);
    // 6400 tokens: above the score budget for one chunk, so the chunked path runs.
    const auto x = torch::randn({1, 32, 80, 80});
    const auto ours = block(x);

    const auto h = block->norm(x);
    const auto q = block->q(h).reshape({1, 32, -1}).permute({0, 2, 1});
    const auto k = block->k(h).reshape({1, 32, -1});
    const auto v = block->v(h).reshape({1, 32, -1});
    const auto w = torch::softmax(torch::bmm(q, k) * std::pow(32.0, -0.5), 2);
    const auto a = torch::bmm(v, w.permute({0, 2, 1})).reshape({1, 32, 80, 80});
    const auto expected = x + block->projOut(a);
    EXPECT_LT((ours - expected).abs().max().item<double>(), 1e-5);
}

TEST(FirstStageQuantizer, MatchesBruteForceArgmin)
{
    torch::manual_seed(3);
    c10::InferenceMode guard;
    VectorQuantizer quantizer(37, 3);
    quantizer->embedding->weight.normal_();
    // Row 9 duplicates row 4: ties must go to the first minimum.
    quantizer->embedding->weight[9].copy_(quantizer->embedding->weight[4]);
    auto h = torch::randn({2, 3, 5, 7});
    h.index_put_({1, torch::indexing::Slice(), 2, 3}, quantizer->embedding->weight[4]);

    const auto result = quantizer(h);
    ASSERT_EQ(result.indices.sizes().vec(), (std::vector<int64_t>{2 * 5 * 7}));
    ASSERT_EQ(result.indices.scalar_type(), torch::kLong);
    ASSERT_EQ(result.zq.sizes(), h.sizes());

    const auto e = quantizer->embedding->weight.to(torch::kFloat64);
    int64_t pixel = 0;
    for (int64_t b = 0; b < 2; ++b) {
        for (int64_t y = 0; y < 5; ++y) {
            for (int64_t x = 0; x < 7; ++x, ++pixel) {
                const auto z = h.index({b, torch::indexing::Slice(), y, x}).to(torch::kFloat64);
                int64_t best = 0;
                double bestDistance = INFINITY;
                for (int64_t j = 0; j < e.size(0); ++j) {
                    const double d = (z - e[j]).pow(2).sum().item<double>();
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = j;
                    }
                }
                EXPECT_EQ(result.indices[pixel].item<int64_t>(), best)
                    << "pixel b" << b << " y" << y << " x" << x;
                const auto zq = result.zq.index({b, torch::indexing::Slice(), y, x});
                EXPECT_TRUE(torch::allclose(zq, quantizer->embedding->weight[best], 0, 1e-6));
            }
        }
    }
    EXPECT_EQ(result.indices[35 + 2 * 7 + 3].item<int64_t>(), 4);
    EXPECT_TRUE(
        torch::equal(quantizer->lookup(result.indices.view({2, 5, 7})).permute({0, 3, 1, 2}),
                     quantizer->embedding->weight.index_select(0, result.indices)
                         .view({2, 5, 7, 3})
                         .permute({0, 3, 1, 2})));
}

void checkShapes(const AutoencoderConfig& config, int64_t factor)
{
    const auto stage = makeStage(config);
    ASSERT_EQ(stage.downFactor(), factor);
    torch::manual_seed(4);
    c10::InferenceMode guard;
    const auto x = torch::rand({2, 3, 24, 40}) * 2 - 1;
    ASSERT_TRUE(stage.checkImage(x).ok());
    const auto z = stage.encodeLatent(x, torch::randn({2, 3, 24 / factor, 40 / factor}));
    EXPECT_EQ(z.sizes().vec(), stage.latentShape(2, 24, 40));
    EXPECT_EQ(z.sizes().vec(), (std::vector<int64_t>{2, 3, 24 / factor, 40 / factor}));
    ASSERT_TRUE(stage.checkLatent(z).ok());
    const auto image = stage.decodeLatent(z);
    EXPECT_EQ(image.sizes().vec(), (std::vector<int64_t>{2, 3, 24, 40}));
    EXPECT_TRUE(torch::isfinite(image).all().item<bool>());
}

TEST(FirstStageShapes, KlF4)
{
    checkShapes(tinyConfig({1, 2, 4}, 0), 4);
}
TEST(FirstStageShapes, KlF8)
{
    checkShapes(tinyConfig({1, 2, 2, 4}, 0, {32}), 8);
}
TEST(FirstStageShapes, VqF4)
{
    checkShapes(tinyConfig({1, 2, 4}, 64), 4);
}
TEST(FirstStageShapes, VqF8)
{
    checkShapes(tinyConfig({1, 2, 2, 4}, 64, {32}), 8);
}

TEST(FirstStageVq, DecodeQuantisesUnlessForced)
{
    const auto stage = makeStage(tinyConfig({1, 2}, 32));
    auto model = stage.vq();
    torch::manual_seed(5);
    c10::InferenceMode guard;
    const auto h = model->encode(torch::rand({1, 3, 16, 24}) * 2 - 1);
    EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{1, 3, 8, 12}));
    const auto quantised = model->decode(h);
    const auto raw = model->decode(h, /*forceNotQuantize=*/true);
    EXPECT_EQ(quantised.sizes().vec(), (std::vector<int64_t>{1, 3, 16, 24}));
    EXPECT_EQ(raw.sizes(), quantised.sizes());
    EXPECT_TRUE(torch::equal(quantised, model->decode(model->quantize(h).zq, true)));
    EXPECT_FALSE(torch::equal(quantised, raw));
    EXPECT_TRUE(torch::equal(stage.decodeLatent(h), quantised));
}

TEST(FirstStageKl, PosteriorClampsAndSamples)
{
    auto moments = torch::zeros({1, 4, 1, 2});
    moments.index_put_({0, 2, 0, 0}, 25.0);  // logvar above 20
    moments.index_put_({0, 3, 0, 1}, -40.0); // logvar below −30
    moments.index_put_({0, 0, 0, 0}, 1.5);
    const auto posterior = Posterior::fromMoments(moments);
    EXPECT_EQ(posterior.mean.sizes().vec(), (std::vector<int64_t>{1, 2, 1, 2}));
    EXPECT_FLOAT_EQ(posterior.logvar[0][0][0][0].item<float>(), 20.0f);
    EXPECT_FLOAT_EQ(posterior.logvar[0][1][0][1].item<float>(), -30.0f);
    EXPECT_FLOAT_EQ(posterior.std[0][0][0][0].item<float>(), std::exp(10.0f));
    const auto noise = torch::full({1, 2, 1, 2}, 0.5);
    EXPECT_TRUE(torch::allclose(posterior.sample(noise), posterior.mean + posterior.std * 0.5));
    EXPECT_FLOAT_EQ(posterior.mode()[0][0][0][0].item<float>(), 1.5f);
}

TEST(FirstStageKl, SeededEncodingIsReproducible)
{
    const auto stage = makeStage(tinyConfig({1, 2}, 0));
    c10::InferenceMode guard;
    const auto x = torch::zeros({1, 3, 8, 8});
    auto g1 = at::detail::createCPUGenerator(42);
    auto g2 = at::detail::createCPUGenerator(42);
    const auto a = stage.encodeLatent(x, g1);
    const auto b = stage.encodeLatent(x, g2);
    EXPECT_TRUE(torch::equal(a, b));
    EXPECT_FALSE(torch::equal(a, stage.encodeLatent(x))); // the mean differs from a sample
}

TEST(FirstStageFacade, ChecksInputs)
{
    const auto stage = makeStage(tinyConfig({1, 2, 4}, 0));
    EXPECT_FALSE(stage.isVq());
    EXPECT_EQ(stage.latentChannels(), 3);
    EXPECT_FALSE(stage.checkImage(torch::zeros({1, 3, 30, 32})).ok()); // 30 not a multiple of 4
    EXPECT_FALSE(stage.checkImage(torch::zeros({1, 4, 32, 32})).ok());
    EXPECT_FALSE(stage.checkImage(torch::zeros({3, 32, 32})).ok());
    EXPECT_FALSE(stage.checkLatent(torch::zeros({1, 4, 8, 8})).ok());
    const auto error = stage.checkImage(torch::zeros({1, 3, 30, 32}));
    EXPECT_NE(error.error().message.find("multiple of 4"), std::string::npos);
}

TEST(FirstStageConfig, RoundTripsThroughJson)
{
    auto config = tinyConfig({1, 2, 4}, 8192, {}, AttnType::None);
    auto back = AutoencoderConfig::fromJson(config.toJson());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->toJson(), config.toJson());
    EXPECT_EQ(back->ddconfig.attnType, AttnType::None);
    EXPECT_EQ(back->nEmbed, 8192);

    auto fromMeta = AutoencoderConfig::fromMetadata(
        {{"ddconfig", nlohmann::json::parse(FixtureKlConfig)["ddconfig"].dump()},
         {"embed_dim", "4"}});
    ASSERT_TRUE(fromMeta.ok()) << fromMeta.error().message;
    EXPECT_FALSE(fromMeta->isVq());
    EXPECT_EQ(fromMeta->ddconfig.attnResolutions, (std::vector<int64_t>{8}));
    EXPECT_EQ(fromMeta->ddconfig.downFactor(), 2);
}

TEST(FirstStageConfig, RejectsWithClearMessages)
{
    auto base = nlohmann::json::parse(FixtureKlConfig);
    const auto expectError = [&](nlohmann::json json, const std::string& fragment) {
        const auto result = AutoencoderConfig::fromJson(json);
        ASSERT_FALSE(result.ok()) << json.dump();
        EXPECT_EQ(result.error().code, ErrorCode::InvalidRequest);
        EXPECT_NE(result.error().message.find(fragment), std::string::npos)
            << result.error().message;
    };
    auto j = base;
    j["ddconfig"]["ch"] = 48;
    expectError(j, "multiple of 32");
    j = base;
    j["ddconfig"]["ch_mult"] = {1, 1.5};
    expectError(j, "ch_mult");
    j = base;
    j["ddconfig"].erase("z_channels");
    expectError(j, "z_channels");
    j = base;
    j["ddconfig"]["attn_type"] = "linear";
    expectError(j, "attn_type");
    j = base;
    j["ddconfig"]["double_z"] = false;
    expectError(j, "double_z");
    j = base;
    j["n_embed"] = 16;
    expectError(j, "double_z");
    j = base;
    j.erase("embed_dim");
    expectError(j, "embed_dim");
    j = base;
    j["ddconfig"]["tanh_out"] = true;
    expectError(j, "tanh_out");
    expectError(nlohmann::json::array(), "object");

    // YAML converters may write integers as floats; unknown keys are ignored.
    j = base;
    j["ddconfig"]["ch"] = 32.0;
    j["lossconfig"] = {{"target", "torch.nn.Identity"}};
    EXPECT_TRUE(AutoencoderConfig::fromJson(j).ok());
    EXPECT_FALSE(AutoencoderConfig::fromMetadata({{"ddconfig", "{not json"}}).ok());
}

} // namespace
} // namespace ldm
