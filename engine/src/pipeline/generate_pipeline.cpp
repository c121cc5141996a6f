// SPDX-License-Identifier: GPL-3.0-or-later
// txt2img and paint: noise → sampler (guided) → decoder.
#include "pipeline/generate_pipeline.h"

#include "pipeline/autocast_scope.h"
#include "pipeline/control_request.h"
#include "pipeline/edit_pipeline.h"
#include "pipeline/guided_denoiser.h"
#include "pipeline/image_convert.h"
#include "pipeline/prompt_encoding.h"
#include "pipeline/request_monitor.h"
#include "sampling/k_samplers.h"

namespace ldm {
namespace {

constexpr int MaxSide = 4096;

Result<void> validate(const LoadedModel& model, const GenerateRequest& request)
{
    const Recipe& r = request.recipe;
    const int factor = model.info.latentFactor;
    if (r.width < factor || r.height < factor || r.width > MaxSide || r.height > MaxSide)
        return makeError(ErrorCode::InvalidRequest, "size " + std::to_string(r.width) + "x" +
                                                        std::to_string(r.height) +
                                                        " is outside " + std::to_string(factor) +
                                                        ".." + std::to_string(MaxSide));
    if (r.width % factor || r.height % factor)
        return makeError(ErrorCode::InvalidRequest,
                         "width and height must be multiples of " + std::to_string(factor) +
                             " for this model, got " + std::to_string(r.width) + "x" +
                             std::to_string(r.height));
    if (r.steps < 1 || r.steps > 1000)
        return makeError(ErrorCode::InvalidRequest, "steps must be between 1 and 1000");
    if (!(r.guidanceScale >= 0.0 && r.guidanceScale <= 50.0))
        return makeError(ErrorCode::InvalidRequest, "guidance scale must be between 0 and 50");
    if (const std::string refused = unsupportedPrecision(r.precision); !refused.empty())
        return makeError(ErrorCode::InvalidRequest, refused);
    if (r.task == "paint" && request.control.path.empty()) { // a ControlNet's map is its hint
        const LabelMap& map = request.map;
        if (map.width != r.width || map.height != r.height ||
            map.ids.size() != size_t(map.width) * size_t(map.height))
            return makeError(ErrorCode::InvalidRequest,
                             "the map is " + std::to_string(map.width) + "x" +
                                 std::to_string(map.height) + " but the image is " +
                                 std::to_string(r.width) + "x" + std::to_string(r.height));
        const int classes = int(model.diffusion.config().rescaler->inChannels);
        for (uint8_t id : map.ids)
            if (id >= classes)
                return makeError(ErrorCode::InvalidRequest,
                                 "the map uses class id " + std::to_string(id) +
                                     " but the model knows " + std::to_string(classes) +
                                     " classes (0.." + std::to_string(classes - 1) + ")");
    }
    return {};
}

/// Class-conditional models take the class id as the prompt ("207"). A ClassEmbedder model
/// (cross-attention) uses its last class as the unconditional one, as the cin256 notebook does
/// with class 1000; a label-embedding UNet has no unconditional class and runs unguided.
Result<void> classConditions(const LoadedModel& model, const Recipe& recipe, torch::Device device,
                             Conditions& conditions)
{
    const LatentDiffusion& diffusion = model.diffusion;
    const bool embedder = !diffusion.classEmbedder().is_empty();
    const auto& numClasses = diffusion.config().unet->numClasses;
    if (!embedder && !numClasses)
        return {};
    const int64_t classes = embedder ? diffusion.config().classEmbedder->nClasses : *numClasses;
    char* end = nullptr;
    const long long label = std::strtoll(recipe.prompt.c_str(), &end, 10);
    if (recipe.prompt.empty() || *end != '\0' || label < 0 || label >= classes)
        return makeError(ErrorCode::InvalidRequest,
                         "this class-conditional model takes a class id from 0 to " +
                             std::to_string(classes - 1) + " as the prompt");
    const torch::Tensor id = torch::full({1}, int64_t(label), torch::kLong).to(device);
    if (embedder) {
        conditions.context = diffusion.classEmbedder()->forward(id);
        conditions.uncondContext = diffusion.classEmbedder()->forward(
            torch::full({1}, classes - 1, torch::kLong).to(device));
    } else {
        conditions.classLabels = id;
    }
    return {};
}

} // namespace

Result<GenerateResult> generateFromNoise(const LoadedModel& model, const GenerateRequest& original,
                                         torch::Device device)
{
    GenerateRequest sized;
    const bool edit = isEditTask(original.recipe.task);
    if (edit) {
        auto prepared = prepareEdit(model, original);
        if (!prepared)
            return prepared.error();
        sized = std::move(prepared.value());
    }
    const GenerateRequest& request = edit ? sized : original;
    if (auto ok = validate(model, request); !ok)
        return ok.error();
    const Recipe& recipe = request.recipe;
    const LatentDiffusion& diffusion = model.diffusion;
    auto kind = parseSamplerKind(recipe.sampler);
    if (!kind)
        return kind.error();
    auto sigmaSchedule = parseSigmaSchedule(recipe.schedule);
    if (!sigmaSchedule)
        return sigmaSchedule.error();
    if (!parseNoiseKind(recipe.rng))
        return makeError(ErrorCode::InvalidRequest,
                         "unknown noise generator '" + recipe.rng + "' (choose ours, cpu or nv)");
    if (edit && isKDiffusionSampler(*kind) &&
        (original.recipe.task != "img2img" || *kind == SamplerKind::Lcm))
        return makeError(ErrorCode::InvalidRequest,
                         std::string("the ") + samplerKindName(*kind) +
                             " sampler runs text-to-image (and the k-diffusion ones img2img) "
                             "only so far; choose ddim, plms, ddpm or dpmpp2m to inpaint or "
                             "outpaint");
    auto sampler = makeSampler(*kind, diffusion.schedule(), recipe.steps, recipe.eta,
                               *sigmaSchedule, brownianSourceFor(recipe));
    if (!sampler)
        return sampler.error();

    c10::InferenceMode guard;
    AutocastScope autocast(recipe.precision == "bf16", device);
    Conditions conditions;
    std::vector<std::string> warnings;
    std::string tiHashes;
    if (diffusion.takesText()) {
        auto prompts = encodePrompts(model, recipe, device, request.embeddingsDir);
        if (!prompts)
            return prompts.error();
        tiHashes = prompts->tiHashes;
        conditions.context = prompts->cond;
        conditions.uncondContext = prompts->uncond;
        warnings = std::move(prompts->warnings);
    }
    if (auto labels = classConditions(model, recipe, device, conditions); !labels)
        return labels.error();
    const int factor = model.info.latentFactor;
    const int64_t h = recipe.height / factor;
    const int64_t w = recipe.width / factor;
    if (!diffusion.rescaler().is_empty()) {
        const int64_t classes = diffusion.config().rescaler->inChannels;
        // A map the user did not paint is the dropped condition the model was trained with.
        const torch::Tensor empty = torch::zeros({1, classes, recipe.height, recipe.width});
        const torch::Tensor oneHot =
            recipe.task == "paint" ? labelsToOneHot(request.map, classes) : empty;
        conditions.concat = diffusion.rescaler()->forward(oneHot.to(device));
        conditions.uncondConcat = diffusion.rescaler()->forward(empty.to(device));
        if (conditions.concat.size(2) != h || conditions.concat.size(3) != w)
            return makeError(ErrorCode::WeightsMismatch,
                             "the map rescaler gives " + std::to_string(conditions.concat.size(2)) +
                                 "x" + std::to_string(conditions.concat.size(3)) +
                                 " but the latent is " + std::to_string(h) + "x" +
                                 std::to_string(w));
    }

    const int64_t channels = diffusion.firstStage()->latentChannels();
    const double scale = diffusion.scaleFactor();
    auto decode = [&](const torch::Tensor& z) {
        return tensorToImage(diffusion.firstStage()->decodeLatent(z.to(torch::kFloat32) / scale));
    };
    EditPlan plan;
    if (edit) {
        auto planned = planEdit(model, request, **sampler, device, conditions.concat);
        if (!planned)
            return planned.error();
        plan = std::move(planned.value());
    }
    auto control = controlInputFor(model, request, **sampler, device);
    if (!control)
        return control.error();
    conditions.control = std::move(control.value());
    const EpsModel eps = makeGuidedEpsModel(diffusion, conditions, recipe.guidanceScale);
    auto sampled = sampleAndDecode(model, request, **sampler, {1, channels, h, w}, eps, device,
                                   decode, plan.sampling);
    if (!sampled)
        return sampled.error();
    GenerateResult result;
    result.image = plan.finish ? plan.finish(std::move(sampled->image)) : std::move(sampled->image);
    result.recipe = recipe;
    result.recipe.tiHashes = tiHashes;
    result.recipe.sampler = samplerKindName(*kind); // "Euler a" and the like as our id
    result.recipe.schedule = sigmaScheduleName(*sigmaSchedule);
    if (recipe.task == "paint" && request.control.path.empty())
        result.recipe.mapHash = sha256Hex(request.map.ids.data(), request.map.ids.size());
    if (edit) // the image given, not an outpaint's grown canvas
        result.recipe.inputImageHash =
            sha256Hex(original.input.pixels.data(), original.input.pixels.size());
    if (isInpaintingModel(diffusion) && !diffusion.takesText())
        result.recipe.guidanceScale = 1.0; // it has no unconditional input: it ran unguided
    if (recipe.task == "inpaint")
        result.recipe.maskHash = sha256Hex(request.mask.pixels.data(), request.mask.pixels.size());
    result.seconds = sampled->seconds;
    result.warnings = std::move(warnings);
    return result;
}

} // namespace ldm
