// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/control_net_file.h"

#include "checkpoint/weight_checks.h"
#include "core/ckpt_file.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>

namespace ldm {
namespace {

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The family a text-context width belongs to, for messages.
std::string contextFamily(int64_t width)
{
    if (width == 768)
        return " (Stable Diffusion 1.x)";
    if (width == 1024)
        return " (Stable Diffusion 2.x)";
    return {};
}

/// Why a file without `control_model.*` tensors is not a ControlNet we read.
Error notAControlNet(const io::TensorMap& tensors)
{
    const auto any = [&](const char* prefix) {
        return std::any_of(tensors.begin(), tensors.end(),
                           [&](const auto& entry) { return startsWith(entry.first, prefix); });
    };
    if (any("controlnet_cond_embedding.") || any("controlnet_down_blocks."))
        return makeError(ErrorCode::InvalidFile,
                         "this is a ControlNet in the diffusers layout; Latent Canvas reads "
                         "lllyasviel's layout (control_model.* tensors), as the released "
                         "control_*.pth / .safetensors files hold it");
    if (any("model.diffusion_model.") || any("first_stage_model."))
        return makeError(ErrorCode::InvalidFile,
                         "this is a Stable Diffusion model without a ControlNet (no "
                         "control_model.* tensors); give it with --model and the ControlNet "
                         "file with --control");
    return makeError(ErrorCode::InvalidFile,
                     "no control_model.* tensors: not a ControlNet file in lllyasviel's layout (" +
                         std::to_string(tensors.size()) + " tensors)");
}

/// The layout differences between a ControlNet and its base that have a plain explanation.
Result<void> checkAgainstBase(const ControlNetSignature& s, const UNetConfig& base,
                              const std::string& baseFamily)
{
    const std::string family = baseFamily.empty() ? std::string("the base model") : baseFamily;
    const auto mismatch = [&](const std::string& what) {
        return makeError(ErrorCode::WeightsMismatch,
                         "this ControlNet does not belong to " + family + ": " + what +
                             ". A ControlNet only steers the model family it was trained for");
    };
    if (!base.useSpatialTransformer || !base.contextDim)
        return mismatch("the base UNet takes no text context, so it is not a Stable Diffusion "
                        "model");
    if (s.contextDim != *base.contextDim)
        return mismatch("it reads a " + std::to_string(s.contextDim) + "-wide text context" +
                        contextFamily(s.contextDim) + " but the base's is " +
                        std::to_string(*base.contextDim) + " wide" +
                        contextFamily(*base.contextDim));
    if (s.linearProjections != base.useLinearInTransformer)
        return mismatch(
            std::string("its transformers project with ") +
            (s.linearProjections ? "linear layers (SD-2.x)" : "1x1 convolutions (SD-1.x)") +
            " but the base's with " +
            (base.useLinearInTransformer ? "linear layers (SD-2.x)" : "1x1 convolutions (SD-1.x)"));
    if (s.modelChannels != base.modelChannels)
        return mismatch("its base width is " + std::to_string(s.modelChannels) +
                        " channels but the base UNet's is " + std::to_string(base.modelChannels));
    if (s.inChannels != base.outChannels)
        return mismatch("it reads " + std::to_string(s.inChannels) +
                        "-channel latents but the base's latents have " +
                        std::to_string(base.outChannels) + " channels");
    // The first conv, num_res_blocks per level and a downsample between levels.
    const size_t baseBlocks = size_t(base.levels() * (base.numResBlocks + 1));
    if (s.inputBlocks != baseBlocks)
        return mismatch("it has " + std::to_string(s.inputBlocks) +
                        " encoder blocks but the base UNet has " + std::to_string(baseBlocks));
    return {};
}

/// Each level's width (its first residual block's output channels, and the middle block's)
/// against the base's model_channels x channel_mult, from the shapes, before the network is
/// built: a ControlNet of another width pattern is refused here instead of after allocating
/// a base-sized network for it.
Result<void> checkLevelWidths(const io::TensorMap& tensors, const UNetConfig& base,
                              const std::string& family)
{
    const auto widthOf = [&](const std::string& local) -> std::optional<int64_t> {
        const auto found = tensors.find(ControlNetPrefix + local);
        if (found == tensors.end() || found->second.dim() < 1)
            return std::nullopt;
        return found->second.size(0);
    };
    const auto refuse = [&](const std::string& where, int64_t width, int64_t expected) {
        return makeError(ErrorCode::WeightsMismatch,
                         "this ControlNet does not belong to " +
                             (family.empty() ? std::string("the base model") : family) + ": " +
                             where + " is " + std::to_string(width) +
                             " channels wide, but the base UNet's is " +
                             std::to_string(expected) + "; nothing was built");
    };
    for (int64_t level = 0; level < base.levels(); ++level) {
        const int64_t expected = base.modelChannels * base.channelMult[size_t(level)];
        const int64_t block = 1 + level * (base.numResBlocks + 1);
        const std::string local =
            "input_blocks." + std::to_string(block) + ".0.out_layers.3.weight";
        if (auto width = widthOf(local); width && *width != expected)
            return refuse("level " + std::to_string(level) + " (" + ControlNetPrefix + local + ")",
                          *width, expected);
    }
    const int64_t deepest = base.modelChannels * base.channelMult.back();
    if (auto width = widthOf("middle_block_out.0.weight"); width && *width != deepest)
        return refuse("the middle block's output", *width, deepest);
    return {};
}

} // namespace

Result<ControlNetSignature> readControlNetSignature(const io::TensorMap& tensors)
{
    const std::string prefix = ControlNetPrefix;
    ControlNetSignature s;
    bool any = false;
    std::set<long> blocks;
    for (const auto& [name, tensor] : tensors) {
        if (!startsWith(name, prefix))
            continue;
        any = true;
        const std::string local = name.substr(prefix.size());
        if (startsWith(local, "input_blocks.")) {
            const std::string rest = local.substr(std::string("input_blocks.").size());
            char* end = nullptr;
            const long index = std::strtol(rest.c_str(), &end, 10);
            if (end != rest.c_str() && *end == '.' && index >= 0 && index < 1000)
                blocks.insert(index);
        }
        if (s.contextDim == 0 && endsWith(local, ".attn2.to_k.weight") && tensor.dim() == 2)
            s.contextDim = tensor.size(1);
        if (endsWith(local, ".proj_in.weight") && tensor.dim() == 2)
            s.linearProjections = true;
    }
    if (!any)
        return notAControlNet(tensors);
    const auto shapeOf = [&](const std::string& local, int64_t dims) -> Result<torch::Tensor> {
        const auto found = tensors.find(prefix + local);
        if (found == tensors.end())
            return makeError(ErrorCode::InvalidFile,
                             "incomplete ControlNet: " + prefix + local + " is missing");
        if (found->second.dim() != dims)
            return makeError(ErrorCode::InvalidFile,
                             "not a ControlNet in lllyasviel's layout: " + prefix + local +
                                 " has " + std::to_string(found->second.dim()) +
                                 " dimensions, expected " + std::to_string(dims));
        return found->second;
    };
    auto first = shapeOf("input_blocks.0.0.weight", 4);
    if (!first)
        return first.error();
    auto hint = shapeOf("input_hint_block.0.weight", 4);
    if (!hint)
        return hint.error();
    if (auto out = shapeOf("middle_block_out.0.weight", 4); !out)
        return out.error();
    s.modelChannels = first->size(0);
    s.inChannels = first->size(1);
    s.hintChannels = hint->size(1);
    s.inputBlocks = blocks.empty() ? 0 : size_t(*blocks.rbegin()) + 1;
    return s;
}

Result<ControlNet> controlNetFromTensors(const io::TensorMap& tensors, const UNetConfig& base,
                                         const std::string& baseFamily)
{
    auto signature = readControlNetSignature(tensors);
    if (!signature)
        return signature.error();
    if (auto fits = checkAgainstBase(*signature, base, baseFamily); !fits)
        return fits.error();
    // Sizes from shapes only count when data backs them; then the widths per level.
    ShapeMap shapes;
    for (const auto& [name, tensor] : tensors)
        if (startsWith(name, ControlNetPrefix))
            shapes.emplace(name, tensor.sizes().vec());
    if (auto empty = checkNoEmptyWeights(shapes, "ControlNet"); !empty)
        return empty.error();
    if (auto widths = checkLevelWidths(tensors, base, baseFamily); !widths)
        return widths.error();
    ControlNetConfig config;
    config.unet = base;
    config.unet.inChannels = signature->inChannels;
    config.unet.numClasses.reset(); // the reference's ControlNet has no label embedding
    config.hintChannels = signature->hintChannels;
    auto net = makeControlNet(config);
    if (!net)
        return net.error();
    // Only the control part: a v1.0 file also carries the whole SD model it was trained on.
    io::TensorMap control;
    for (const auto& [name, tensor] : tensors)
        if (startsWith(name, ControlNetPrefix))
            control.emplace(name, tensor);
    auto loaded = io::loadStateDict(**net, control, ControlNetPrefix);
    if (!loaded)
        return makeError(loaded.error().code,
                         "this ControlNet does not fit " +
                             (baseFamily.empty() ? std::string("the base model") : baseFamily) +
                             ": " + loaded.error().message);
    (*net)->eval();
    return net;
}

Result<ControlNet> loadControlNet(const std::string& path, const UNetConfig& base,
                                  const std::string& baseFamily)
{
    auto file = io::openCheckpointTensors(path);
    if (!file)
        return file.error();
    auto net = controlNetFromTensors(file->tensors, base, baseFamily);
    if (!net)
        return makeError(net.error().code, path + ": " + net.error().message);
    return net;
}

} // namespace ldm
