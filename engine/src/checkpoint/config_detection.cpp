// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/config_detection.h"

#include "checkpoint/latent_upscaler.h"

#include <algorithm>

namespace ldm {
namespace {

const std::vector<int64_t>* shapeOf(const ShapeMap& shapes, const std::string& name)
{
    auto it = shapes.find(name);
    return it == shapes.end() ? nullptr : &it->second;
}

/// Number of consecutive indices i = 0, 1, ... for which `prefix + i + "."` names exist.
int64_t countIndexed(const ShapeMap& shapes, const std::string& prefix, int64_t first = 0)
{
    int64_t count = 0;
    while (hasPrefix(shapes, prefix + std::to_string(first + count) + "."))
        ++count;
    return count;
}

Error missing(const std::string& name)
{
    return makeError(ErrorCode::WeightsMismatch, "cannot detect the configuration: tensor '" +
                                                     name + "' is missing");
}

} // namespace

bool hasPrefix(const ShapeMap& shapes, const std::string& prefix)
{
    auto it = shapes.lower_bound(prefix);
    return it != shapes.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

Result<UNetConfig> detectUNetConfig(const ShapeMap& shapes, const std::string& p,
                                    std::vector<std::string>& guesses)
{
    const auto* inConv = shapeOf(shapes, p + "input_blocks.0.0.weight");
    const auto* outConv = shapeOf(shapes, p + "out.2.weight");
    if (!inConv || inConv->size() != 4)
        return missing(p + "input_blocks.0.0.weight");
    if (!outConv || outConv->size() != 4)
        return missing(p + "out.2.weight");
    nlohmann::json kwargs;
    const int64_t mc = (*inConv)[0];
    kwargs["model_channels"] = mc;
    kwargs["in_channels"] = (*inConv)[1];
    kwargs["out_channels"] = (*outConv)[0];

    const int64_t inputBlocks = countIndexed(shapes, p + "input_blocks.");
    const int64_t outputBlocks = countIndexed(shapes, p + "output_blocks.");
    bool convDown = false;
    for (int64_t k = 1; k < inputBlocks; ++k)
        convDown = convDown || shapes.count(p + "input_blocks." + std::to_string(k) + ".0.op.weight");
    // Resampling ResBlocks (resblock_updown) sit after the regular blocks of the output levels.
    int64_t upResBlocks = 0;
    for (int64_t k = 0; k < outputBlocks; ++k) {
        const std::string b = p + "output_blocks." + std::to_string(k) + ".";
        const int64_t parts = countIndexed(shapes, b);
        if (parts > 1 && shapes.count(b + std::to_string(parts - 1) + ".in_layers.0.weight"))
            ++upResBlocks;
    }
    const bool updown = !convDown && upResBlocks > 0;
    int64_t levels = 1;
    int64_t nrb = inputBlocks - 1;
    if (convDown) {
        nrb = 0;
        for (int64_t k = 1; k < inputBlocks; ++k) {
            if (shapes.count(p + "input_blocks." + std::to_string(k) + ".0.op.weight")) {
                ++levels;
            } else if (levels == 1) {
                ++nrb;
            }
        }
    } else if (updown) {
        levels = upResBlocks + 1;
        nrb = inputBlocks / levels - 1;
    }
    if (nrb < 1 || 1 + levels * nrb + (levels - 1) != inputBlocks ||
        outputBlocks != levels * (nrb + 1))
        return makeError(ErrorCode::WeightsMismatch,
                         "cannot detect the UNet layout: " + std::to_string(inputBlocks) +
                             " input blocks and " + std::to_string(outputBlocks) +
                             " output blocks fit no channel_mult/num_res_blocks");
    kwargs["num_res_blocks"] = nrb;
    kwargs["resblock_updown"] = updown;
    std::vector<int64_t> mult;
    std::vector<int64_t> attention;
    bool spatial = false;
    for (int64_t level = 0; level < levels; ++level) {
        const int64_t k = 1 + level * (nrb + 1);
        const std::string b = p + "input_blocks." + std::to_string(k) + ".";
        const auto* conv = shapeOf(shapes, b + "0.out_layers.3.weight");
        if (!conv)
            return missing(b + "0.out_layers.3.weight");
        mult.push_back((*conv)[0] / mc);
        if (hasPrefix(shapes, b + "1.")) {
            attention.push_back(int64_t{1} << level);
            spatial = spatial || shapes.count(b + "1.proj_in.weight");
        }
    }
    kwargs["channel_mult"] = mult;
    kwargs["attention_resolutions"] = attention;
    spatial = spatial || shapes.count(p + "middle_block.1.proj_in.weight");
    kwargs["use_spatial_transformer"] = spatial;
    if (spatial) {
        const std::string t = p + "middle_block.1.transformer_blocks.";
        kwargs["transformer_depth"] = countIndexed(shapes, t);
        const auto* toK = shapeOf(shapes, t + "0.attn2.to_k.weight");
        if (!toK)
            return missing(t + "0.attn2.to_k.weight");
        kwargs["context_dim"] = (*toK)[1];
        const auto* projIn = shapeOf(shapes, p + "middle_block.1.proj_in.weight");
        const bool linear = projIn && projIn->size() == 2;
        kwargs["use_linear_in_transformer"] = linear;
        // Linear projections are SD-2.x's layout, which counts heads by channels (64 each);
        // SD-1.x and the CompVis models use 8 heads at every level.
        if (linear) {
            // 64 in every released file; a smaller model whose attention levels are narrower
            // gets the largest power of two that divides them all, so it still loads.
            int64_t headChannels = 64;
            for (int64_t level = 0; level < levels; ++level)
                if (std::find(attention.begin(), attention.end(), int64_t{1} << level) !=
                    attention.end())
                    while (headChannels > 1 && (mc * mult[size_t(level)]) % headChannels != 0)
                        headChannels /= 2;
            kwargs["num_head_channels"] = headChannels;
            guesses.push_back("UNet attention heads: num_head_channels " +
                              std::to_string(headChannels) +
                              " (SD-2.x uses 64; head counts are not stored in the weights; "
                              "give the config.yaml if images look wrong)");
        } else {
            kwargs["num_heads"] = 8;
            guesses.push_back("UNet attention heads: num_heads 8 (head counts are not stored "
                              "in the weights; give the config.yaml if images look wrong)");
        }
    } else {
        kwargs["num_head_channels"] = 32;
        guesses.push_back("UNet attention heads: num_head_channels 32 (not stored in the "
                          "weights; give the config.yaml if images look wrong)");
    }
    const auto* emb = shapeOf(shapes, p + "input_blocks.1.0.emb_layers.1.weight");
    const auto* firstOut = shapeOf(shapes, p + "input_blocks.1.0.out_layers.3.weight");
    if (emb && firstOut)
        kwargs["use_scale_shift_norm"] = (*emb)[0] == 2 * (*firstOut)[0];
    if (const auto* label = shapeOf(shapes, p + "label_emb.weight"))
        kwargs["num_classes"] = (*label)[0];
    kwargs["legacy"] = false;
    auto config = UNetConfig::fromJson(kwargs);
    if (config)
        detectContextSelfAttention(shapes, p, *config, guesses);
    return config;
}

Result<AutoencoderConfig> detectFirstStageConfig(const ShapeMap& shapes, const std::string& p)
{
    const auto* convIn = shapeOf(shapes, p + "encoder.conv_in.weight");
    const auto* convOut = shapeOf(shapes, p + "encoder.conv_out.weight");
    const auto* decIn = shapeOf(shapes, p + "decoder.conv_in.weight");
    const auto* decOut = shapeOf(shapes, p + "decoder.conv_out.weight");
    const auto* quant = shapeOf(shapes, p + "quant_conv.weight");
    for (auto [shape, name] : {std::pair{convIn, "encoder.conv_in.weight"},
                               {convOut, "encoder.conv_out.weight"},
                               {decIn, "decoder.conv_in.weight"},
                               {decOut, "decoder.conv_out.weight"}, {quant, "quant_conv.weight"}})
        if (!shape || shape->size() != 4)
            return missing(p + name);
    const int64_t ch = (*convIn)[0];
    const int64_t levels = countIndexed(shapes, p + "encoder.down.");
    const int64_t nrb = countIndexed(shapes, p + "encoder.down.0.block.");
    const auto* codebook = shapeOf(shapes, p + "quantize.embedding.weight");
    const int64_t z = (*decIn)[1];
    nlohmann::json dd;
    dd["ch"] = ch;
    dd["in_channels"] = (*convIn)[1];
    dd["out_ch"] = (*decOut)[0];
    dd["z_channels"] = z;
    dd["double_z"] = (*convOut)[0] == 2 * z;
    dd["num_res_blocks"] = nrb;
    dd["dropout"] = 0.0;
    // The nominal resolution only places attention; 256 is what every released model uses.
    const int64_t resolution = 256;
    dd["resolution"] = resolution;
    std::vector<int64_t> mult;
    std::vector<int64_t> attn;
    for (int64_t level = 0; level < levels; ++level) {
        const std::string b = p + "encoder.down." + std::to_string(level) + ".";
        const auto* conv = shapeOf(shapes, b + "block.0.conv1.weight");
        if (!conv)
            return missing(b + "block.0.conv1.weight");
        mult.push_back((*conv)[0] / ch);
        if (hasPrefix(shapes, b + "attn."))
            attn.push_back(resolution >> level);
    }
    dd["ch_mult"] = mult;
    dd["attn_resolutions"] = attn;
    dd["attn_type"] = hasPrefix(shapes, p + "encoder.mid.attn_1.") ? "vanilla" : "none";
    nlohmann::json params;
    params["ddconfig"] = dd;
    params["embed_dim"] = codebook ? (*quant)[0] : (*quant)[0] / 2;
    if (codebook)
        params["n_embed"] = (*codebook)[0];
    return AutoencoderConfig::fromJson(params);
}

Result<TextEncoderConfig> detectTextEncoderConfig(const ShapeMap& shapes, const std::string& p,
                                                  std::vector<std::string>& guesses)
{
    const std::string t = p + "transformer.";
    const auto* tokens = shapeOf(shapes, t + "token_emb.weight");
    const auto* positions = shapeOf(shapes, t + "pos_emb.emb.weight");
    const auto* toQ = shapeOf(shapes, t + "attn_layers.layers.0.1.to_q.weight");
    if (!tokens || !positions || !toQ)
        return missing(t + "token_emb / pos_emb / attn_layers.layers.0.1.to_q");
    nlohmann::json kwargs;
    kwargs["vocab_size"] = (*tokens)[0];
    kwargs["n_embed"] = (*tokens)[1];
    kwargs["max_seq_len"] = (*positions)[0];
    kwargs["n_layer"] = countIndexed(shapes, t + "attn_layers.layers.") / 2;
    const int64_t inner = (*toQ)[0];
    const int64_t dimHead = inner % 64 == 0 ? 64 : inner / 8;
    kwargs["dim_head"] = dimHead;
    kwargs["heads"] = inner / dimHead;
    if (inner != 512)
        guesses.push_back("text encoder heads: " + std::to_string(inner / dimHead) + " x " +
                          std::to_string(dimHead));
    return TextEncoderConfig::fromJson(kwargs);
}

Result<ClipTextConfig> detectClipTextConfig(const ShapeMap& shapes, const std::string& p,
                                            std::vector<std::string>& guesses)
{
    const std::string t = p + "transformer.text_model.";
    const auto* tokens = shapeOf(shapes, t + "embeddings.token_embedding.weight");
    const auto* positions = shapeOf(shapes, t + "embeddings.position_embedding.weight");
    const auto* fc1 = shapeOf(shapes, t + "encoder.layers.0.mlp.fc1.weight");
    if (!tokens || tokens->size() != 2)
        return missing(t + "embeddings.token_embedding.weight");
    if (!positions || positions->size() != 2)
        return missing(t + "embeddings.position_embedding.weight");
    if (!fc1 || fc1->size() != 2)
        return missing(t + "encoder.layers.0.mlp.fc1.weight");
    ClipTextConfig config;
    config.vocabSize = (*tokens)[0];
    config.width = (*tokens)[1];
    config.maxPositions = (*positions)[0];
    config.intermediate = (*fc1)[0];
    config.layers = countIndexed(shapes, t + "encoder.layers.");
    if (config.width % 64 != 0)
        return makeError(ErrorCode::WeightsMismatch,
                         "CLIP text width " + std::to_string(config.width) +
                             " is not a multiple of 64 (heads are width / 64 in CLIP)");
    config.heads = config.width / 64;
    guesses.push_back("CLIP text heads: " + std::to_string(config.heads) +
                      " (width / 64, as in every released CLIP; not stored in the weights)");
    return config;
}

Result<OpenClipTextConfig> detectOpenClipTextConfig(const ShapeMap& shapes, const std::string& p,
                                                    std::vector<std::string>& guesses)
{
    const std::string m = p + "model.";
    const auto* tokens = shapeOf(shapes, m + "token_embedding.weight");
    const auto* positions = shapeOf(shapes, m + "positional_embedding");
    const auto* fc = shapeOf(shapes, m + "transformer.resblocks.0.mlp.c_fc.weight");
    const auto* projection = shapeOf(shapes, m + "text_projection");
    if (!tokens || tokens->size() != 2)
        return missing(m + "token_embedding.weight");
    if (!positions || positions->size() != 2)
        return missing(m + "positional_embedding");
    if (!fc || fc->size() != 2)
        return missing(m + "transformer.resblocks.0.mlp.c_fc.weight");
    OpenClipTextConfig config;
    config.vocabSize = (*tokens)[0];
    config.width = (*tokens)[1];
    config.contextLength = (*positions)[0];
    config.mlpWidth = (*fc)[0];
    config.embedDim = projection && projection->size() == 2 ? (*projection)[1] : config.width;
    config.layers = countIndexed(shapes, m + "transformer.resblocks.");
    if (config.width % 64 != 0 || config.layers < 2)
        return makeError(ErrorCode::WeightsMismatch,
                         "OpenCLIP text tower of width " + std::to_string(config.width) +
                             " and " + std::to_string(config.layers) +
                             " layers is not one a released model has");
    config.heads = config.width / 64;
    guesses.push_back("OpenCLIP text heads: " + std::to_string(config.heads) +
                      " (width / 64, as in every released OpenCLIP; not stored in the weights)");
    return config;
}

Result<void> completeConfigFromShapes(const ShapeMap& shapes, LdmConfig& config)
{
    auto& guesses = config.guesses;
    bool unetFromShapes = false;
    if (!config.unet && hasPrefix(shapes, "model.diffusion_model.")) {
        auto unet = detectUNetConfig(shapes, "model.diffusion_model.", guesses);
        if (!unet)
            return unet.error();
        config.unet = unet.value();
        unetFromShapes = true;
    }
    completeLatentUpscalerConfig(shapes, config, unetFromShapes);
    if (!config.firstStage) {
        const std::string prefix = hasPrefix(shapes, "first_stage_model.") ? "first_stage_model."
                                   : hasPrefix(shapes, "encoder.")          ? ""
                                                                            : "-";
        if (prefix != "-") {
            auto stage = detectFirstStageConfig(shapes, prefix);
            if (!stage)
                return stage.error();
            config.firstStage = stage.value();
        }
    }
    const bool clipWeights =
        shapes.count("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight");
    if ((config.condStage == CondStageKind::None || config.condStage == CondStageKind::ClipText) &&
        clipWeights && !config.clipText) {
        auto clip = detectClipTextConfig(shapes, "cond_stage_model.", guesses);
        if (!clip)
            return clip.error();
        config.clipText = clip.value();
        config.condStage = CondStageKind::ClipText;
    }
    const bool openClipWeights = shapes.count("cond_stage_model.model.token_embedding.weight");
    if ((config.condStage == CondStageKind::None ||
         config.condStage == CondStageKind::OpenClipText) &&
        openClipWeights && !config.openClipText) {
        auto tower = detectOpenClipTextConfig(shapes, "cond_stage_model.", guesses);
        if (!tower)
            return tower.error();
        tower->layerFromEnd = config.openClipLayer == "last" ? 1 : 2;
        if (config.openClipLayer.empty())
            guesses.push_back("OpenCLIP layer: penultimate (what SD-2.x uses)");
        config.openClipText = tower.value();
        config.condStage = CondStageKind::OpenClipText;
    }
    if (config.condStage == CondStageKind::None) {
        if (shapes.count("cond_stage_model.transformer.token_emb.weight")) {
            auto text = detectTextEncoderConfig(shapes, "cond_stage_model.", guesses);
            if (!text)
                return text.error();
            config.text = text.value();
            config.condStage = CondStageKind::Text;
        } else if (const auto* emb = shapeOf(shapes, "cond_stage_model.embedding.weight")) {
            config.classEmbedder = ClassEmbedderConfig{(*emb)[0], (*emb)[1], "class"};
            config.condStage = CondStageKind::ClassLabel;
        } else if (const auto* map = shapeOf(shapes, "cond_stage_model.channel_mapper.weight")) {
            SpatialRescalerConfig rescaler;
            rescaler.inChannels = (*map)[1];
            rescaler.outChannels = (*map)[0];
            rescaler.bias = shapes.count("cond_stage_model.channel_mapper.bias") != 0;
            config.rescaler = rescaler;
            config.condStage = CondStageKind::SpatialRescaler;
            guesses.push_back("SpatialRescaler: 1 stage of bilinear x0.5 (not stored in the "
                              "weights)");
        }
    }
    // An inpainting UNet sees x_t, the mask and the masked image's latent. Both released
    // layouts have in = 2 x latent + 1; SD's carries a CLIP / OpenCLIP text tower, CompVis'
    // none, and their channel order and scaling differ (ldm_config.h).
    if (config.unet && config.firstStage && !config.rescaler &&
        config.unet->outChannels == config.firstStage->embedDim &&
        config.unet->inChannels == 2 * config.firstStage->embedDim + 1)
        config.inpaint = config.clipText || config.openClipText ? InpaintConcat::MaskThenLatent
                                                                : InpaintConcat::LatentThenMask;
    if (config.conditioningKey == ConditioningKey::None && config.unet) {
        const bool extraInput = config.unet->inChannels > config.unet->outChannels;
        const bool crossAttn = config.unet->useSpatialTransformer;
        if (crossAttn && extraInput)
            config.conditioningKey = ConditioningKey::Hybrid;
        else if (crossAttn)
            config.conditioningKey = ConditioningKey::CrossAttn;
        else if (extraInput)
            config.conditioningKey = ConditioningKey::Concat;
        if (extraInput && !config.rescaler && !config.concatImage &&
            config.inpaint == InpaintConcat::None) {
            config.concatImage = true;
            guesses.push_back("concat conditioning on a low-resolution image (super-resolution)");
        }
    }
    if (const auto* scale = shapeOf(shapes, "scale_factor"); scale && scale->empty()) {
        // The value itself is read by the loader; nothing to guess.
    } else if (config.firstStage && config.scaleFactor == 1.0 && !config.firstStage->isVq() &&
               config.unet && config.firstStage->embedDim == 4 &&
               config.firstStage->ddconfig.downFactor() == 8) {
        config.scaleFactor = 0.18215;
        guesses.push_back("scale_factor 0.18215 (the kl-f8 convention)");
    }
    return {};
}

} // namespace ldm
