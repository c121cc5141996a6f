// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/config_summary.h"

#include <sstream>

namespace ldm {
namespace {

std::string list(const std::vector<int64_t>& values)
{
    std::string out;
    for (size_t i = 0; i < values.size(); ++i)
        out += (i ? "," : "") + std::to_string(values[i]);
    return out.empty() ? "none" : out;
}

std::string firstStageName(const AutoencoderConfig& config)
{
    return std::string(config.isVq() ? "VQModel" : "AutoencoderKL") + " f" +
           std::to_string(config.ddconfig.downFactor());
}

} // namespace

std::string describeKind(const LdmConfig& config)
{
    if (!config.unet) {
        if (config.firstStage)
            return "first stage only (" + firstStageName(*config.firstStage) + ")";
        if (config.condStage != CondStageKind::None)
            return std::string("conditioning encoder only (") +
                   condStageKindName(config.condStage) + ")";
        return "unknown";
    }
    std::string task;
    const bool map = config.rescaler.has_value();
    switch (config.conditioningKey) {
    case ConditioningKey::CrossAttn:
        task = config.condStage == CondStageKind::ClassLabel ? "class-conditional (cross-attention)"
                                                             : "text-to-image (cross-attention)";
        break;
    case ConditioningKey::Concat:
        task = map ? "semantic map to image (concat)"
                   : "image to image / super-resolution (concat)";
        break;
    case ConditioningKey::Hybrid:
        task = map ? "semantic map + text (hybrid: concat + cross-attention)"
                   : "hybrid (concat + cross-attention)";
        break;
    case ConditioningKey::Adm: task = "class-conditional (label embedding)"; break;
    case ConditioningKey::HybridAdm:
        task = "4x super-resolution (hybrid-adm: noise-augmented image concat + text "
               "cross-attention + noise level as the class label)";
        break;
    case ConditioningKey::None:
        task = config.unet->numClasses ? "class-conditional (label embedding)" : "unconditional";
        break;
    }
    if (config.inpaint == InpaintConcat::MaskThenLatent)
        task = "inpainting model (mask + masked-image latent concatenated, text cross-attention)";
    else if (config.inpaint == InpaintConcat::LatentThenMask)
        task = "inpainting model (masked-image latent + mask concatenated)";
    std::string kind = "latent diffusion, " + task;
    if (!config.firstStage)
        kind += ", UNet only";
    return kind;
}

std::string describeFamily(const LdmConfig& config)
{
    if (config.lowScale) // checked first: it also has an OpenCLIP text tower
        return "Stable Diffusion x4 upscaler";
    if (!config.unet)
        return {};
    const bool inpainting = config.inpaint != InpaintConcat::None;
    if (config.clipText)
        return inpainting ? "Stable Diffusion 1.x inpainting" : "Stable Diffusion 1.x";
    if (config.openClipText && inpainting)
        return "Stable Diffusion 2.x inpainting";
    if (config.openClipText)
        return config.predictsV() ? "Stable Diffusion 2.x (v-prediction)"
                                              : "Stable Diffusion 2.x";
    if (inpainting)
        return "LDM inpainting";
    if (config.text && !config.rescaler)
        return config.tokenizer.empty() ? "CompVis LDM text-to-image" : "LDM text-to-image";
    if (config.rescaler)
        return config.text ? "LDM semantic map + text" : "LDM semantic synthesis";
    if (config.concatImage)
        return "LDM super-resolution";
    if (config.classEmbedder || config.unet->numClasses)
        return "LDM class-conditional";
    return config.conditioningKey == ConditioningKey::None ? "LDM unconditional" : "";
}

std::string describeConfig(const LdmConfig& config)
{
    std::ostringstream out;
    out << "kind:          " << describeKind(config) << "\n";
    if (const std::string family = describeFamily(config); !family.empty())
        out << "family:        " << family << "\n";
    if (!config.name.empty())
        out << "name:          " << config.name << "\n";
    if (config.unet) {
        const UNetConfig& u = *config.unet;
        out << "UNet:          " << u.inChannels << " -> " << u.outChannels << " channels, model "
            << u.modelChannels << ", mult " << list(u.channelMult) << " (" << u.levels()
            << " levels), " << u.numResBlocks << " res blocks/level\n";
        out << "  attention:   at downsample factors " << list(u.attentionResolutions) << ", "
            << (u.useSpatialTransformer ? "spatial transformer (depth " +
                                              std::to_string(u.transformerDepth) + ", context " +
                                              std::to_string(u.contextDim.value_or(0)) + ")"
                                        : std::string("self-attention blocks"))
            << ", " << (u.numHeadChannels > 0 ? std::to_string(u.numHeadChannels) + " ch/head"
                                              : std::to_string(u.numHeads) + " heads")
            << "\n";
        if (u.useScaleShiftNorm || u.resblockUpdown || u.numClasses)
            out << "  options:     " << (u.useScaleShiftNorm ? "scale-shift norm " : "")
                << (u.resblockUpdown ? "resblock up/down " : "")
                << (u.numClasses ? std::to_string(*u.numClasses) + " classes" : "") << "\n";
    }
    out << "conditioning:  " << conditioningKeyName(config.conditioningKey) << "; "
        << condStageKindName(config.condStage);
    if (config.text)
        out << " (width " << config.text->nEmbed << ", " << config.text->nLayer << " layers, vocab "
            << config.text->vocabSize << ", " << config.text->maxSeqLen << " tokens)";
    if (config.clipText)
        out << " (width " << config.clipText->width << ", " << config.clipText->layers
            << " layers, " << config.clipText->heads << " heads, vocab "
            << config.clipText->vocabSize << ", " << config.clipText->maxPositions << " tokens)";
    if (config.openClipText)
        out << " (width " << config.openClipText->width << ", " << config.openClipText->layers
            << " layers, " << config.openClipText->heads << " heads, read at the "
            << (config.openClipText->layerFromEnd == 1 ? "last" : "penultimate") << " layer)";
    if (config.classEmbedder)
        out << " (" << config.classEmbedder->nClasses << " classes, width "
            << config.classEmbedder->embedDim << ")";
    if (config.rescaler)
        out << "; map rescaler " << config.rescaler->nStages << " x " << config.rescaler->method
            << " " << config.rescaler->multiplier << ", " << config.rescaler->inChannels
            << " classes";
    if (config.concatImage)
        out << "; low-resolution image concatenated";
    out << "\n";
    if (config.lowScale)
        out << "upscaler:      4x; the low-resolution image is noise-augmented under its own "
            << config.lowScale->schedule.betaSchedule << " "
            << config.lowScale->schedule.linearStart << " .. "
            << config.lowScale->schedule.linearEnd << " schedule ("
            << config.lowScale->schedule.timesteps << " steps); noise levels 0.."
            << config.lowScale->maxNoiseLevel << " (default "
            << LowScaleConfig::DefaultNoiseLevel << "), given to the UNet as its class label\n";
    if (config.firstStage) {
        const auto& f = *config.firstStage;
        out << "first stage:   " << firstStageName(f) << ", latent " << f.embedDim
            << " channels, ch " << f.ddconfig.ch << " mult " << list(f.ddconfig.chMult);
        if (f.isVq())
            out << ", codebook " << f.nEmbed;
        out << "\n";
    }
    if (config.unet)
        out << "schedule:      " << config.schedule.betaSchedule << " "
            << config.schedule.linearStart << " .. " << config.schedule.linearEnd << ", "
            << config.schedule.timesteps << " steps; scale_factor " << config.scaleFactor
            << "; predicts " << (config.predictsV() ? "v" : "eps (noise)") << "\n";
    if (!config.classes.empty())
        out << "classes:       " << config.classes.size() << " semantic classes\n";
    for (const auto& guess : config.guesses)
        out << "guessed:       " << guess << "\n";
    return out.str();
}

} // namespace ldm
