// SPDX-License-Identifier: GPL-3.0-or-later
// Parity of the UNetModel (and of the conditioning that feeds it: ClassEmbedder context,
// SpatialRescaler concat map) against the CompVis reference. See FORMAT.md, "UNet".
#include "conditioning/class_embedder.h"
#include "conditioning/spatial_rescaler.h"
#include "parity/parity_fixture.h"
#include "unet/unet_model.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

namespace ldm::parity {
namespace {

constexpr const char* UnetPrefix = "model.diffusion_model.";
constexpr const char* CondPrefix = "cond_stage_model.";

// Parses a JSON config from the fixture's own metadata or, failing that, its weight files'.
nlohmann::json configJson(const Fixture& fixture,
                          const std::map<std::string, std::string>& weightsMeta,
                          const std::string& key)
{
    if (fixture.hasMeta(key))
        return fixture.metaJson(key);
    auto it = weightsMeta.find(key);
    if (it == weightsMeta.end())
        return nullptr;
    auto parsed = nlohmann::json::parse(it->second, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
}

// Loads `prefix`* of `weights` into `module`; records a failure unless every key fits.
bool loadClean(const Fixture& fixture, torch::nn::Module& module, const io::TensorMap& weights,
               const std::string& prefix)
{
    auto report = io::loadStateDict(module, weights, prefix);
    if (!report.ok()) {
        ADD_FAILURE() << fixture.fileName() << ": loading " << prefix
                      << "*: " << report.error().message;
        return false;
    }
    EXPECT_TRUE(report->clean()) << fixture.fileName() << ": " << report->describe();
    return report->clean();
}

// Class label -> [B, 1, D] context through the file's ClassEmbedder.
torch::Tensor embedClasses(const Fixture& fixture, const std::map<std::string, std::string>& meta,
                           const io::TensorMap& weights)
{
    const std::string key = std::string(CondPrefix) + "embedding.weight";
    auto it = weights.find(key);
    if (it == weights.end()) {
        ADD_FAILURE() << fixture.fileName() << ": class_label given but no " << key;
        return {};
    }
    ClassEmbedderConfig config;
    config.nClasses = it->second.size(0);
    config.embedDim = it->second.size(1);
    if (const auto json = configJson(fixture, meta, "class_embedder"); json.is_object()) {
        auto parsed = ClassEmbedderConfig::fromJson(json);
        if (!parsed.ok()) {
            ADD_FAILURE() << fixture.fileName() << ": " << parsed.error().message;
            return {};
        }
        config = parsed.value();
    }
    ClassEmbedder embedder(config);
    if (!loadClean(fixture, *embedder, weights, CondPrefix))
        return {};
    embedder->eval();
    torch::Tensor context = embedder->forward(fixture.get("class_label"));
    if (fixture.has("context"))
        fixture.expectClose("context", context);
    return context;
}

// One-hot map `seg` -> concat conditioning through the file's SpatialRescaler.
torch::Tensor rescaleMap(const Fixture& fixture, const std::map<std::string, std::string>& meta,
                         const io::TensorMap& weights)
{
    const auto json = configJson(fixture, meta, "rescaler");
    if (!json.is_object()) {
        ADD_FAILURE() << fixture.fileName() << ": seg given but no `rescaler` metadata";
        return {};
    }
    auto config = SpatialRescalerConfig::fromJson(json);
    if (!config.ok()) {
        ADD_FAILURE() << fixture.fileName() << ": " << config.error().message;
        return {};
    }
    SpatialRescaler rescaler(config.value());
    if (!loadClean(fixture, *rescaler, weights, CondPrefix))
        return {};
    rescaler->eval();
    torch::Tensor cond = rescaler->forward(fixture.get("seg"));
    if (fixture.has("cond"))
        fixture.expectClose("cond", cond);
    return cond;
}

} // namespace

void runUnetFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const auto meta = fixture.weightsMetadata();
    nlohmann::json configJsonValue = configJson(fixture, meta, "config");
    if (!configJsonValue.is_object())
        configJsonValue = configJson(fixture, meta, "unet"); // combined single-file checkpoints
    auto config = UNetConfig::fromJson(configJsonValue);
    ASSERT_TRUE(config.ok()) << fixture.fileName() << ": " << config.error().message;
    auto built = makeUNetModel(config.value());
    ASSERT_TRUE(built.ok()) << fixture.fileName() << ": " << built.error().message;
    UNetModel unet = built.value();

    const io::TensorMap weights = fixture.loadWeights();
    ASSERT_TRUE(loadClean(fixture, *unet, weights, UnetPrefix));
    unet->eval();
    std::printf("  UNet: %lld parameters\n", static_cast<long long>(parameterCount(*unet)));

    // Conditioning, by kind (FORMAT.md).
    torch::Tensor x = fixture.get("x");
    torch::Tensor context;
    torch::Tensor labels;
    if (fixture.has("class_label"))
        context = embedClasses(fixture, meta, weights);
    else if (fixture.has("context"))
        context = fixture.get("context");
    if (fixture.has("y"))
        labels = fixture.get("y");
    torch::Tensor cond;
    if (fixture.has("seg")) {
        cond = rescaleMap(fixture, meta, weights);
        ASSERT_TRUE(cond.defined());
    } else if (fixture.has("cond")) {
        cond = fixture.get("cond"); // concat with an identity cond stage
    }
    // Concat conditioning: UNet input = cat([latent, cond]) (latent first), unless the file
    // already stores the full-width input.
    if (cond.defined() && x.size(1) < config->inChannels)
        x = torch::cat({x, cond}, 1);
    ASSERT_FALSE(fixture.has("class_label") && !context.defined());

    std::map<std::string, torch::Tensor> traced;
    unet->setTrace([&](const std::string& name, const torch::Tensor& value) {
        traced["dbg." + name] = value.clone();
    });
    int calls = 0;
    for (int j = 0; fixture.has("t_" + std::to_string(j)); ++j) {
        const std::string eps = "eps_" + std::to_string(j);
        const torch::Tensor out =
            unet->forward(x, fixture.get("t_" + std::to_string(j)), context, labels);
        if (j == 0)
            unet->setTrace({});
        if (fixture.has(eps))
            fixture.expectClose(eps, out);
        else
            ADD_FAILURE() << fixture.fileName() << ": t_" << j << " without " << eps;
        ++calls;
    }
    EXPECT_GE(calls, 1) << fixture.fileName() << ": no t_j inputs";

    // Intermediates of call 0: every dbg.* tensor of the file must have been produced.
    for (const auto& info : fixture.file().tensors()) {
        if (info.name.rfind("dbg.", 0) != 0)
            continue;
        auto it = traced.find(info.name);
        if (it == traced.end()) {
            ADD_FAILURE() << fixture.fileName() << ": no traced tensor for " << info.name;
            continue;
        }
        fixture.expectClose(info.name, it->second);
    }
}

} // namespace ldm::parity
