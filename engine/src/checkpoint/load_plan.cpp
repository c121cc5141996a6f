// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/load_plan.h"

#include "checkpoint/class_palettes.h"
#include "checkpoint/config_completion.h"
#include "checkpoint/config_detection.h"
#include "checkpoint/weight_checks.h"
#include "checkpoint/yaml_json.h"

#include <filesystem>

namespace ldm {
namespace {

const char* const EmaPrefix = "model_ema.";

ShapeMap shapesOf(const io::TensorMap& tensors)
{
    ShapeMap shapes;
    for (const auto& [name, tensor] : tensors)
        shapes[name] = tensor.sizes().vec();
    return shapes;
}

/// True when a tensor of the file exists and holds only zeros.
bool isAllZero(const io::TensorMap& tensors, const std::string& name)
{
    auto it = tensors.find(name);
    return it != tensors.end() && it->second.numel() > 0 &&
           it->second.count_nonzero().item<int64_t>() == 0;
}

/// The UNet's output convolution starts at zero (zero_module in the reference); an EMA copy
/// whose output layer is still all zeros was never updated from a trained network, and a UNet
/// with it predicts zero for every input.
bool emaIsUntrainedInitialisation(const io::TensorMap& tensors)
{
    return isAllZero(tensors, std::string(EmaPrefix) + "diffusion_modelout2weight") &&
           !isAllZero(tensors, "model.diffusion_model.out.2.weight");
}

/// Lays the options' overrides (prediction, text heads) over the config.
Result<void> applyOverrides(const LoadOptions& options, LdmConfig& config)
{
    if (options.textHeads > 0) {
        int64_t* heads = config.clipText       ? &config.clipText->heads
                         : config.openClipText ? &config.openClipText->heads
                                               : nullptr;
        const int64_t width = config.clipText       ? config.clipText->width
                              : config.openClipText ? config.openClipText->width
                                                    : 0;
        if (!heads || width % options.textHeads != 0)
            return makeError(ErrorCode::InvalidRequest,
                             "text heads " + std::to_string(options.textHeads) +
                                 " do not fit this model's text encoder");
        *heads = options.textHeads;
    }
    if (!options.prediction.empty()) {
        if (options.prediction != "eps" && options.prediction != "v")
            return makeError(ErrorCode::InvalidRequest,
                             "prediction must be eps or v, got '" + options.prediction + "'");
        config.parameterization = options.prediction;
    } else if (config.parameterization.empty() && config.inpaint != InpaintConcat::None) {
        // The only SD-2.x inpainting release (512-inpainting-ema) predicts the noise, as do
        // sd-v1-5-inpainting and CompVis' inpainting_big.
        config.parameterization = "eps";
    } else if (config.parameterization.empty() && config.openClipText) {
        config.parameterization = "v";
        config.guesses.push_back("v-prediction (SD-2.x 768-v; the 512-base model predicts eps: "
                                 "choose prediction eps for it, the weights cannot tell)");
    }
    return {};
}

/// A map model without its own class list whose map has COCO-Stuff's 182 channels (the
/// CompVis semantic-synthesis releases) paints with the COCO-Stuff classes.
void addKnownClasses(LdmConfig& config)
{
    if (!config.classes.empty() || !config.rescaler ||
        config.condStage != CondStageKind::SpatialRescaler)
        return;
    if (config.rescaler->inChannels == CocoStuffClassCount) {
        config.classes = cocoStuffClasses();
        config.guesses.push_back("classes: COCO-Stuff's 182 (0-based ids; the map has 182 "
                                 "channels, as the CompVis semantic-synthesis models)");
    }
}

} // namespace

std::string findConfigBeside(const std::string& checkpoint)
{
    namespace fs = std::filesystem;
    const fs::path path(checkpoint);
    std::error_code ec;
    if (path.extension() == ".yaml")
        return {};
    if (const fs::path same = fs::path(path).replace_extension(".yaml");
        fs::is_regular_file(same, ec))
        return same.string();
    // A CompVis release folder: model.ckpt beside config.yaml (never for our safetensors).
    const bool pickle =
        path.extension() == ".ckpt" || path.extension() == ".pt" || path.extension() == ".pth";
    if (const fs::path release = path.parent_path() / "config.yaml";
        pickle && fs::is_regular_file(release, ec))
        return release.string();
    // The super-resolution model as AUTOMATIC1111's LDSR folder keeps it.
    const bool lightningName = path.stem() == "model" &&
                               (path.extension() == ".ckpt" || path.extension() == ".safetensors");
    if (const fs::path project = path.parent_path() / "project.yaml";
        lightningName && fs::is_regular_file(project, ec))
        return project.string();
    // Stability's upscaler ships as x4-upscaler-ema.* and its config as x4-upscaling.yaml.
    if (const fs::path upscaler = path.parent_path() / "x4-upscaling.yaml";
        path.stem().string().rfind("x4-upscaler", 0) == 0 && fs::is_regular_file(upscaler, ec))
        return upscaler.string();
    return {};
}

Result<WeightChoice> chooseSamplingWeights(const LdmConfig& config, const io::TensorMap& tensors,
                                           const std::optional<bool>& override)
{
    WeightChoice choice;
    auto ema = tensors.lower_bound(EmaPrefix);
    choice.hasEma = ema != tensors.end() && ema->first.compare(0, 10, EmaPrefix) == 0;
    const auto pick = [&](bool useEma, std::string reason) {
        choice.useEma = useEma;
        choice.reason = std::move(reason);
        return choice;
    };
    if (override) {
        if (*override && !choice.hasEma)
            return makeError(ErrorCode::InvalidRequest,
                             "EMA weights were asked for, but the file has no model_ema.* "
                             "weights");
        return pick(*override, "asked for");
    }
    if (!config.unet)
        return pick(false, "no UNet");
    if (!choice.hasEma)
        return pick(false, "the file has no EMA weights");
    if (config.useEma == false)
        return pick(false, "the config sets use_ema: False");
    const bool stableDiffusion = config.condStage == CondStageKind::ClipText ||
                                 config.condStage == CondStageKind::OpenClipText;
    if (!config.useEma && stableDiffusion)
        return pick(false, "Stable Diffusion: its inference configs set use_ema: False");
    if (emaIsUntrainedInitialisation(tensors))
        return pick(false, "the EMA copy is the untrained initialisation (all-zero output "
                           "layer: it would predict nothing)");
    return pick(true, config.useEma ? "the config sets use_ema: True"
                                    : "use_ema is not set and defaults to True (the reference "
                                      "samples inside ema_scope)");
}

Result<LoadPlan> planLoad(const io::TensorMap& tensors,
                          const std::map<std::string, std::string>& metadata,
                          const LoadOptions& options, const std::string& path)
{
    LoadPlan plan;
    Result<LdmConfig> config = LdmConfig{};
    const ShapeMap shapes = shapesOf(tensors);
    // First: every size read from the shapes below must be backed by the file's bytes.
    if (auto ok = checkNoEmptyWeights(shapes, "checkpoint"); !ok)
        return ok.error();
    std::vector<std::string> filled;
    plan.configPath = options.configYaml;
    if (plan.configPath.empty() && !options.configParams.is_object() && !path.empty()) {
        plan.configPath = findConfigBeside(path);
        if (!plan.configPath.empty())
            plan.configSource = "config.yaml beside the checkpoint: " + plan.configPath;
    } else if (!plan.configPath.empty()) {
        plan.configSource = "config.yaml given: " + plan.configPath;
    }
    if (!plan.configPath.empty()) {
        auto yaml = readYamlAsJson(plan.configPath);
        if (!yaml)
            return yaml.error();
        config = LdmConfig::fromCompVisYaml(*yaml);
    } else if (options.configParams.is_object()) {
        plan.configSource = "config given in memory";
        config = LdmConfig::fromCompVisYaml({{"model", {{"params", options.configParams}}}});
    } else if (auto embedded = metadata.find("config_yaml"); embedded != metadata.end()) {
        // `convert --config` stores a release's config.yaml inside the safetensors it writes.
        plan.configSource = "config.yaml stored in the file's metadata";
        auto yaml = parseYamlAsJson(embedded->second);
        if (!yaml)
            return makeError(yaml.error().code, "metadata config_yaml: " + yaml.error().message);
        config = LdmConfig::fromCompVisYaml(*yaml);
    } else {
        config = LdmConfig::fromMetadata(completeMetadataFromShapes(metadata, shapes, filled));
    }
    if (!config)
        return plan.configPath.empty() ? config.error()
                                       : makeError(config.error().code,
                                                   plan.configPath + ": " + config.error().message);
    for (const auto& key : filled)
        config->guesses.push_back("metadata lacked " + key);
    const size_t guessesBefore = config->guesses.size();
    if (auto ok = completeConfigFromShapes(shapes, *config); !ok)
        return ok.error();
    if (plan.configSource.empty())
        plan.configSource = config->guesses.size() > guessesBefore || !filled.empty()
                                ? "metadata and the weights' shapes (detected)"
                                : "the file's metadata";
    // Before anything is built: sizes the weights contradict would allocate for nothing.
    if (auto ok = checkConfigAgainstShapes(*config, shapes, plan.configSource); !ok)
        return ok.error();
    if (auto ok = applyOverrides(options, *config); !ok)
        return ok.error();
    addKnownClasses(*config);
    auto weights = chooseSamplingWeights(*config, tensors, options.preferEma);
    if (!weights)
        return weights.error();
    plan.weights = weights.value();
    plan.config = std::move(config.value());
    return plan;
}

} // namespace ldm
