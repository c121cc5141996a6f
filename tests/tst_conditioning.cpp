// SPDX-License-Identifier: GPL-3.0-or-later
// Conditioning modules: ClassEmbedder, SpatialRescaler and the text encoder's shape and
// state-dict names (numerical parity against the reference is in tst_parity).
#include "conditioning/class_embedder.h"
#include "conditioning/spatial_rescaler.h"
#include "conditioning/text_encoder.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using ldm::ClassEmbedder;
using ldm::ClassEmbedderConfig;
using ldm::SpatialRescaler;
using ldm::SpatialRescalerConfig;

namespace {

std::vector<std::string> parameterNames(const torch::nn::Module& module)
{
    std::vector<std::string> names;
    for (const auto& item : module.named_parameters()) {
        names.push_back(item.key());
    }
    return names;
}


SpatialRescaler makeRescaler(const nlohmann::json& json)
{
    auto config = SpatialRescalerConfig::fromJson(json);
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return SpatialRescaler(config.ok() ? *config : SpatialRescalerConfig{});
}

} // namespace

TEST(ClassEmbedder, ConfigReadsCompVisKeys)
{
    auto config = ClassEmbedderConfig::fromJson(
        {{"n_classes", 1001}, {"embed_dim", 512}, {"key", "class_label"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->nClasses, 1001);
    EXPECT_EQ(config->embedDim, 512);
    EXPECT_EQ(config->key, "class_label");

    auto defaults = ClassEmbedderConfig::fromJson(nlohmann::json::object());
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults->nClasses, 1000);
    EXPECT_EQ(defaults->key, "class");

    EXPECT_FALSE(ClassEmbedderConfig::fromJson({{"n_classes", "many"}}).ok());
    EXPECT_FALSE(ClassEmbedderConfig::fromJson({{"embed_dim", 0}}).ok());
    EXPECT_FALSE(ClassEmbedderConfig::fromJson(nlohmann::json::array()).ok());
}

TEST(ClassEmbedder, LooksUpOneContextTokenPerLabel)
{
    ClassEmbedderConfig config;
    config.nClasses = 11;
    config.embedDim = 6;
    ClassEmbedder embedder(config);
    EXPECT_EQ(parameterNames(*embedder), std::vector<std::string>{"embedding.weight"});
    EXPECT_EQ(embedder->named_parameters()["embedding.weight"].sizes(),
              (std::vector<int64_t>{11, 6}));

    torch::NoGradGuard noGrad;
    const auto labels = torch::tensor({3, 10, 0}, torch::kInt32);
    const auto context = embedder->forward(labels);
    ASSERT_EQ(context.sizes(), (std::vector<int64_t>{3, 1, 6}));
    const auto& table = embedder->named_parameters()["embedding.weight"];
    EXPECT_TRUE(torch::equal(context[1][0], table[10]));
    EXPECT_TRUE(torch::equal(context[2][0], table[0]));
}

TEST(SpatialRescaler, ConfigReadsCompVisKeys)
{
    auto config = SpatialRescalerConfig::fromJson({{"n_stages", 2},
                                                   {"method", "nearest"},
                                                   {"multiplier", 0.25},
                                                   {"in_channels", 182},
                                                   {"out_channels", 3},
                                                   {"bias", true}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->nStages, 2);
    EXPECT_EQ(config->method, "nearest");
    EXPECT_DOUBLE_EQ(config->multiplier, 0.25);
    EXPECT_EQ(config->inChannels, 182);
    EXPECT_EQ(config->outChannels, 3);
    EXPECT_TRUE(config->bias);

    auto none = SpatialRescalerConfig::fromJson({{"out_channels", nullptr}, {"multiplier", 1}});
    ASSERT_TRUE(none.ok()) << none.error().message;
    EXPECT_EQ(none->outChannels, -1);
    EXPECT_DOUBLE_EQ(none->multiplier, 1.0);

    EXPECT_FALSE(SpatialRescalerConfig::fromJson({{"method", "lanczos"}}).ok());
    EXPECT_FALSE(SpatialRescalerConfig::fromJson({{"n_stages", -1}}).ok());
    EXPECT_FALSE(SpatialRescalerConfig::fromJson({{"multiplier", 0}}).ok());
    EXPECT_FALSE(SpatialRescalerConfig::fromJson({{"out_channels", 0}}).ok());
}

TEST(SpatialRescaler, OutputSizeIsFlooredPerStage)
{
    torch::NoGradGuard noGrad;
    const auto x = torch::rand({2, 3, 30, 17});
    // floor(in * 0.5) at every stage: 30 -> 15 -> 7 -> 3 and 17 -> 8 -> 4 -> 2.
    const std::vector<std::pair<int64_t, std::vector<int64_t>>> expected = {
        {0, {2, 3, 30, 17}}, {1, {2, 3, 15, 8}}, {2, {2, 3, 7, 4}}, {3, {2, 3, 3, 2}}};
    for (const auto& [stages, shape] : expected) {
        auto rescaler = makeRescaler({{"n_stages", stages}});
        EXPECT_EQ(rescaler->forward(x).sizes(), shape) << stages << " stages";
    }
    for (const char* method : {"nearest", "bilinear", "bicubic", "area"}) {
        auto rescaler = makeRescaler({{"n_stages", 2}, {"method", method}});
        EXPECT_EQ(rescaler->forward(x).sizes(), (std::vector<int64_t>{2, 3, 7, 4})) << method;
    }
    auto up = makeRescaler({{"multiplier", 2.0}, {"method", "nearest"}});
    EXPECT_EQ(up->forward(x).sizes(), (std::vector<int64_t>{2, 3, 60, 34}));
}

TEST(SpatialRescaler, BilinearHalfIsCloseToTheTwoByTwoMean)
{
    torch::NoGradGuard noGrad;
    const auto x = torch::randn({1, 4, 16, 16}, torch::TensorOptions().dtype(torch::kFloat));
    auto rescaler = makeRescaler({{"n_stages", 1}, {"method", "bilinear"}});
    const auto ours = rescaler->forward(x);
    const auto mean = torch::avg_pool2d(x, 2);
    // With align_corners False and scale 1/2 every output samples the centre of a 2x2 block:
    // the same value, up to rounding (the reference notes it is not bit-exact).
    EXPECT_LT((ours - mean).abs().max().item<double>(), 1e-5);
}

TEST(SpatialRescaler, ChannelMapperOnlyWithOutChannels)
{
    auto plain = makeRescaler({{"in_channels", 182}});
    EXPECT_FALSE(plain->remapsOutput());
    EXPECT_TRUE(parameterNames(*plain).empty());

    auto mapped = makeRescaler({{"in_channels", 182}, {"out_channels", 3}});
    ASSERT_TRUE(mapped->remapsOutput());
    EXPECT_EQ(parameterNames(*mapped), std::vector<std::string>{"channel_mapper.weight"});
    EXPECT_EQ(mapped->named_parameters()["channel_mapper.weight"].sizes(),
              (std::vector<int64_t>{3, 182, 1, 1}));

    auto biased = makeRescaler({{"in_channels", 182}, {"out_channels", 3}, {"bias", true}});
    EXPECT_EQ(parameterNames(*biased),
              (std::vector<std::string>{"channel_mapper.weight", "channel_mapper.bias"}));

    torch::NoGradGuard noGrad;
    const auto out = mapped->forward(torch::rand({1, 182, 32, 32}));
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 3, 16, 16}));
}

TEST(TextEncoder, ConfigReadsCompVisKeys)
{
    auto config = ldm::TextEncoderConfig::fromJson({{"n_embed", 32},
                                                    {"n_layer", 2},
                                                    {"vocab_size", 100},
                                                    {"max_seq_len", 16},
                                                    {"use_tokenizer", false},
                                                    {"device", "cpu"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->nEmbed, 32);
    EXPECT_EQ(config->nLayer, 2);
    EXPECT_EQ(config->vocabSize, 100);
    EXPECT_EQ(config->maxSeqLen, 16);
    EXPECT_FALSE(config->useTokenizer);
    EXPECT_EQ(config->heads, 8);
    EXPECT_EQ(config->dimHead, 64);
    EXPECT_FALSE(ldm::TextEncoderConfig::fromJson({{"n_layer", 0}}).ok());
}

TEST(TextEncoder, StateDictMatchesTheReferenceListing)
{
    const fs::path listing = ldm::testing::keyListing("text_encoder.keys.txt");
    ASSERT_TRUE(fs::exists(listing)) << "no " << listing << " (run through ctest)";
    ldm::TextEncoderConfig config;
    config.nEmbed = 32;
    config.nLayer = 2;
    config.vocabSize = 100;
    config.maxSeqLen = 16;
    ldm::BertEmbedder encoder(config);

    const std::string prefix = "cond_stage_model.";
    std::vector<std::pair<std::string, std::string>> reference;
    std::ifstream in(listing);
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        ASSERT_NE(tab, std::string::npos) << line;
        ASSERT_EQ(line.compare(0, prefix.size(), prefix), 0) << line;
        reference.emplace_back(line.substr(prefix.size(), tab - prefix.size()),
                               line.substr(tab + 1));
    }
    std::vector<std::pair<std::string, std::string>> ours;
    for (const auto& item : encoder->named_parameters()) {
        std::ostringstream shape;
        shape << item.value().sizes();
        ours.emplace_back(item.key(), shape.str());
    }
    EXPECT_TRUE(encoder->named_buffers().is_empty());
    // Same names, shapes and (state_dict) order as the reference.
    EXPECT_EQ(ours, reference);
}

TEST(TextEncoder, EncodesEveryPosition)
{
    ldm::TextEncoderConfig config;
    config.nEmbed = 16;
    config.nLayer = 1;
    config.vocabSize = 50;
    config.maxSeqLen = 8;
    ldm::BertEmbedder encoder(config);
    encoder->eval();
    torch::NoGradGuard noGrad;
    const auto tokens = torch::randint(0, 50, {3, 8}, torch::kLong);
    const auto context = encoder->forward(tokens);
    EXPECT_EQ(context.sizes(), (std::vector<int64_t>{3, 8, 16}));
    EXPECT_TRUE(
        torch::allclose(context[1], encoder->forward(tokens.slice(0, 1, 2))[0], 1e-5, 1e-6));
    // No mask: changing a trailing (padding) token changes the context of every position.
    auto changed = tokens.clone();
    changed[0][7] = (changed[0][7].item<int64_t>() + 1) % 50;
    const auto other = encoder->forward(changed);
    EXPECT_FALSE(torch::allclose(context[0][0], other[0][0]));
    EXPECT_THROW(encoder->forward(torch::zeros({1, 9}, torch::kLong)), c10::Error);
}
