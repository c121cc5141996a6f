// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/weight_checks.h"

#include <algorithm>
#include <optional>
#include <sstream>

namespace ldm {
namespace {

const char* const UNetPrefix = "model.diffusion_model.";
const char* const EmaPrefix = "model_ema.";
const char* const FirstStagePrefix = "first_stage_model.";
const char* const CondPrefix = "cond_stage_model.";

std::string shown(const std::vector<int64_t>& values)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < values.size(); ++i)
        out << (i ? ", " : "") << values[i];
    out << ']';
    return out.str();
}

/// Collects the first size on which the config and the shapes disagree.
class SizeComparison
{
public:
    SizeComparison(std::string part)
        : m_part(std::move(part))
    {
    }

    void same(const char* key, int64_t configured, int64_t fromShapes)
    {
        if (!m_mismatch && configured != fromShapes)
            m_mismatch = describe(key, std::to_string(configured), std::to_string(fromShapes));
    }
    void same(const char* key, const std::vector<int64_t>& configured,
              const std::vector<int64_t>& fromShapes)
    {
        if (!m_mismatch && configured != fromShapes)
            m_mismatch = describe(key, shown(configured), shown(fromShapes));
    }
    /// Compared only when both sides state a value.
    void same(const char* key, const std::optional<int64_t>& configured,
              const std::optional<int64_t>& fromShapes)
    {
        if (configured && fromShapes)
            same(key, *configured, *fromShapes);
    }
    const std::optional<std::string>& mismatch() const { return m_mismatch; }

private:
    std::string describe(const char* key, const std::string& configured,
                         const std::string& fromShapes) const
    {
        return m_part + " " + key + " is " + configured + " in the config, but the weights' " +
               "shapes give " + fromShapes;
    }

    std::string m_part;
    std::optional<std::string> m_mismatch;
};

Error mismatchError(const std::string& source, const std::string& what)
{
    return makeError(ErrorCode::InvalidFile,
                     "the config (" + source + ") does not describe this file's weights: " + what +
                         "; nothing was built (give the config that belongs to these weights)");
}

Error missingPartError(const std::string& source, const std::string& part, const std::string& why)
{
    return makeError(ErrorCode::InvalidFile, "the config (" + source + ") describes " + part +
                                                 ", but the file holds no weights for it (" + why +
                                                 "); nothing was built");
}

std::optional<std::string> compareUNet(const UNetConfig& config, const UNetConfig& found)
{
    SizeComparison sizes("UNet");
    sizes.same("in_channels", config.inChannels, found.inChannels);
    sizes.same("out_channels", config.outChannels, found.outChannels);
    sizes.same("model_channels", config.modelChannels, found.modelChannels);
    sizes.same("channel_mult", config.channelMult, found.channelMult);
    sizes.same("num_res_blocks", config.numResBlocks, found.numResBlocks);
    sizes.same("context_dim", config.contextDim, found.contextDim);
    sizes.same("num_classes", config.numClasses, found.numClasses);
    if (config.useSpatialTransformer && found.useSpatialTransformer)
        sizes.same("transformer_depth", config.transformerDepth, found.transformerDepth);
    return sizes.mismatch();
}

std::optional<std::string> compareFirstStage(const AutoencoderConfig& config,
                                             const AutoencoderConfig& found)
{
    SizeComparison sizes("first stage");
    const DDConfig& a = config.ddconfig;
    const DDConfig& b = found.ddconfig;
    sizes.same("ch", a.ch, b.ch);
    sizes.same("ch_mult", a.chMult, b.chMult);
    sizes.same("num_res_blocks", a.numResBlocks, b.numResBlocks);
    sizes.same("z_channels", a.zChannels, b.zChannels);
    sizes.same("in_channels", a.inChannels, b.inChannels);
    sizes.same("out_ch", a.outCh, b.outCh);
    sizes.same("embed_dim", config.embedDim, found.embedDim);
    sizes.same("n_embed", config.nEmbed, found.nEmbed);
    return sizes.mismatch();
}

std::optional<std::string> compareText(const LdmConfig& config, const ShapeMap& shapes)
{
    std::vector<std::string> guesses;
    if (config.text) {
        auto found = detectTextEncoderConfig(shapes, CondPrefix, guesses);
        if (!found)
            return std::nullopt; // no such weights: the loader names what is missing
        SizeComparison sizes("text encoder");
        sizes.same("n_embed", config.text->nEmbed, found->nEmbed);
        sizes.same("n_layer", config.text->nLayer, found->nLayer);
        sizes.same("vocab_size", config.text->vocabSize, found->vocabSize);
        sizes.same("max_seq_len", config.text->maxSeqLen, found->maxSeqLen);
        return sizes.mismatch();
    }
    if (config.clipText) {
        auto found = detectClipTextConfig(shapes, CondPrefix, guesses);
        if (!found)
            return std::nullopt;
        SizeComparison sizes("CLIP text encoder");
        sizes.same("hidden_size", config.clipText->width, found->width);
        sizes.same("num_hidden_layers", config.clipText->layers, found->layers);
        sizes.same("vocab_size", config.clipText->vocabSize, found->vocabSize);
        sizes.same("intermediate_size", config.clipText->intermediate, found->intermediate);
        sizes.same("max_position_embeddings", config.clipText->maxPositions, found->maxPositions);
        return sizes.mismatch();
    }
    if (config.openClipText) {
        auto found = detectOpenClipTextConfig(shapes, CondPrefix, guesses);
        if (!found)
            return std::nullopt;
        SizeComparison sizes("OpenCLIP text encoder");
        sizes.same("width", config.openClipText->width, found->width);
        sizes.same("layers", config.openClipText->layers, found->layers);
        sizes.same("vocab_size", config.openClipText->vocabSize, found->vocabSize);
        sizes.same("mlp width", config.openClipText->mlpWidth, found->mlpWidth);
        sizes.same("context_length", config.openClipText->contextLength, found->contextLength);
        return sizes.mismatch();
    }
    return std::nullopt;
}

} // namespace

Result<void> checkNoEmptyWeights(const ShapeMap& shapes, const std::string& what)
{
    for (const auto& [name, shape] : shapes)
        if (std::find(shape.begin(), shape.end(), 0) != shape.end())
            return makeError(ErrorCode::InvalidFile,
                             "the " + what + "'s tensor " + name + " has the shape " +
                                 shown(shape) +
                                 ", which holds no values: the file is damaged or forged "
                                 "(no model has empty weights); nothing was built");
    return {};
}

Result<void> checkConfigAgainstShapes(const LdmConfig& config, const ShapeMap& shapes,
                                      const std::string& source)
{
    std::vector<std::string> guesses;
    // A file with only the EMA copy keeps its UNet under dot-less names the detector does not
    // read; the loader checks those key by key.
    if (config.unet && !(hasPrefix(shapes, EmaPrefix) && !hasPrefix(shapes, UNetPrefix))) {
        auto found = detectUNetConfig(shapes, UNetPrefix, guesses);
        if (!found)
            return missingPartError(source,
                                    "a UNet (model_channels " +
                                        std::to_string(config.unet->modelChannels) + ")",
                                    found.error().message);
        if (auto mismatch = compareUNet(*config.unet, *found))
            return mismatchError(source, *mismatch);
    }
    if (config.firstStage) {
        const std::string prefix = hasPrefix(shapes, FirstStagePrefix) ? FirstStagePrefix : "";
        auto found = detectFirstStageConfig(shapes, prefix);
        if (!found)
            return missingPartError(
                source, "a first stage (ch " + std::to_string(config.firstStage->ddconfig.ch) + ")",
                found.error().message);
        if (auto mismatch = compareFirstStage(*config.firstStage, *found))
            return mismatchError(source, *mismatch);
    }
    if (auto mismatch = compareText(config, shapes))
        return mismatchError(source, *mismatch);
    return {};
}

Result<void> checkFiniteWeights(const io::TensorMap& tensors)
{
    for (const auto& [name, tensor] : tensors) {
        if (!tensor.defined() || !tensor.is_floating_point() || tensor.numel() == 0)
            continue;
        if (!torch::isfinite(tensor).all().item<bool>())
            return makeError(ErrorCode::InvalidFile,
                             "the weight " + name +
                                 " holds NaN or infinite values: the file is damaged (every "
                                 "picture would come out black or as noise)");
    }
    return {};
}

} // namespace ldm
