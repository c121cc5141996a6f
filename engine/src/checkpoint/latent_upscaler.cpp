// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/latent_upscaler.h"

#include <algorithm>

namespace ldm {
namespace {

constexpr const char* LowScalePrefix = "low_scale_model.";
constexpr const char* UNetPrefix = "model.diffusion_model.";
/// x4-upscaling.yaml's values, which its file does not carry.
constexpr double UpscalerScaleFactor = 0.08333;
constexpr int64_t UpscalerHeads = 8;

const std::vector<int64_t>* shapeOf(const ShapeMap& shapes, const std::string& name)
{
    auto it = shapes.find(name);
    return it == shapes.end() ? nullptr : &it->second;
}

/// How the first attention of the transformer at `block` (".../1.") reads its keys.
enum class FirstAttention { Absent, Self, Context, Ambiguous };

FirstAttention firstAttentionOf(const ShapeMap& shapes, const std::string& block,
                                int64_t contextDim)
{
    const std::string attn = block + "transformer_blocks.0.attn1.";
    const auto* toK = shapeOf(shapes, attn + "to_k.weight");
    const auto* toQ = shapeOf(shapes, attn + "to_q.weight");
    if (!toK || !toQ || toK->size() != 2 || toQ->size() != 2)
        return FirstAttention::Absent;
    if ((*toK)[1] != (*toQ)[1])
        return FirstAttention::Context;
    return (*toK)[1] == contextDim ? FirstAttention::Ambiguous : FirstAttention::Self;
}

void replaceHeadGuess(std::vector<std::string>& guesses)
{
    guesses.erase(std::remove_if(guesses.begin(), guesses.end(),
                                 [](const std::string& guess) {
                                     return guess.rfind("UNet attention heads", 0) == 0;
                                 }),
                  guesses.end());
    guesses.push_back("UNet attention heads: num_heads 8 at every level (x4-upscaling.yaml; "
                      "head counts are not stored in the weights)");
}

} // namespace

bool isLatentUpscalerLayout(const ShapeMap& shapes)
{
    const auto* inConv = shapeOf(shapes, std::string(UNetPrefix) + "input_blocks.0.0.weight");
    const auto* outConv = shapeOf(shapes, std::string(UNetPrefix) + "out.2.weight");
    return hasPrefix(shapes, LowScalePrefix) && inConv && outConv && inConv->size() == 4 &&
           outConv->size() == 4 && (*inConv)[1] == (*outConv)[0] + 3 &&
           shapes.count(std::string(UNetPrefix) + "label_emb.weight");
}

void detectContextSelfAttention(const ShapeMap& shapes, const std::string& prefix, UNetConfig& unet,
                                std::vector<std::string>& guesses, AmbiguousFirstAttention rule)
{
    if (!unet.useSpatialTransformer || !unet.contextDim)
        return;
    const int64_t contextDim = *unet.contextDim;
    const int64_t levels = unet.levels();
    // x4-upscaling.yaml: [True, True, True, False], every level but the deepest.
    const auto convention = [&](int64_t level) {
        return rule == AmbiguousFirstAttention::UpscalerConvention && level + 1 < levels;
    };
    std::vector<bool> disabled(size_t(levels), false);
    std::string ambiguous;
    bool anyDisabled = false;
    for (int64_t level = 0; level < levels; ++level) {
        // The level's first input block: the stem conv, then num_res_blocks + 1 per level.
        const int64_t block = 1 + level * (unet.numResBlocks + 1);
        const auto kind = firstAttentionOf(
            shapes, prefix + "input_blocks." + std::to_string(block) + ".1.", contextDim);
        const bool context = kind == FirstAttention::Context ||
                             (kind == FirstAttention::Ambiguous && convention(level));
        disabled[size_t(level)] = context;
        anyDisabled = anyDisabled || kind == FirstAttention::Context;
        if (kind == FirstAttention::Ambiguous)
            ambiguous += (ambiguous.empty() ? "" : ", ") + std::to_string(level) +
                         (context ? " (context)" : " (self)");
    }
    // Every release with the option keeps the middle block's self-attention.
    const auto middle = firstAttentionOf(shapes, prefix + "middle_block.1.", contextDim);
    unet.disableMiddleSelfAttn = middle == FirstAttention::Context;
    anyDisabled = anyDisabled || unet.disableMiddleSelfAttn;
    guesses.erase(std::remove_if(guesses.begin(), guesses.end(),
                                 [](const std::string& guess) {
                                     return guess.rfind("disable_self_attentions", 0) == 0;
                                 }),
                  guesses.end());
    if (!anyDisabled && rule == AmbiguousFirstAttention::Self) {
        unet.disableSelfAttentions.clear();
        return;
    }
    unet.disableSelfAttentions = disabled;
    if (middle == FirstAttention::Ambiguous)
        ambiguous += std::string(ambiguous.empty() ? "" : ", ") + "middle block (self)";
    if (!ambiguous.empty())
        guesses.push_back("disable_self_attentions at level " + ambiguous +
                          ": the context is as wide as the blocks there, so the weights cannot "
                          "tell" +
                          (rule == AmbiguousFirstAttention::UpscalerConvention
                               ? " (x4-upscaling.yaml's pattern: every level but the deepest)"
                               : ""));
}

void completeLatentUpscalerConfig(const ShapeMap& shapes, LdmConfig& config, bool unetFromShapes)
{
    if (!isLatentUpscalerLayout(shapes) || !config.unet)
        return;
    auto& guesses = config.guesses;
    config.concatImage = true;
    if (!config.lowScale) {
        config.lowScale = LowScaleConfig{};
        guesses.push_back("x4 upscaler noise augmentation: linear 0.0001 .. 0.02 over 1000 "
                          "steps, noise levels 0..350 (x4-upscaling.yaml)");
    }
    if (config.conditioningKey == ConditioningKey::None)
        config.conditioningKey = ConditioningKey::HybridAdm;
    if (config.parameterization.empty()) {
        config.parameterization = "v";
        guesses.push_back("v-prediction (x4-upscaling.yaml)");
    }
    if (config.scaleFactor == 1.0 && !shapes.count("scale_factor")) {
        config.scaleFactor = UpscalerScaleFactor;
        guesses.push_back("scale_factor 0.08333 (x4-upscaling.yaml)");
    }
    const ScheduleConfig defaults;
    if (config.schedule.linearStart == defaults.linearStart &&
        config.schedule.linearEnd == defaults.linearEnd) {
        // The file's own schedule buffers drive sampling; this is what they were made from.
        config.schedule.linearStart = 0.0001;
        config.schedule.linearEnd = 0.02;
    }
    if (unetFromShapes) {
        detectContextSelfAttention(shapes, UNetPrefix, *config.unet, guesses,
                                   AmbiguousFirstAttention::UpscalerConvention);
        UNetConfig withHeads = *config.unet;
        withHeads.numHeads = UpscalerHeads;
        withHeads.numHeadChannels = -1;
        if (withHeads.validate().ok()) {
            config.unet = withHeads;
            replaceHeadGuess(guesses);
        }
    }
}

} // namespace ldm
