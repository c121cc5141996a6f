// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/latent_diffusion.h"

#include "checkpoint/config_completion.h"
#include "checkpoint/config_detection.h"
#include "checkpoint/weight_checks.h"
#include "checkpoint/yaml_json.h"
#include "core/ckpt_file.h"
#include "core/safetensors.h"

#include <algorithm>
#include <set>

namespace ldm {
namespace {

const char* const UNetPrefix = "model.diffusion_model.";
const char* const FirstStagePrefix = "first_stage_model.";
const char* const CondPrefix = "cond_stage_model.";
const char* const ConcatPrefix = "concat_stage_model.";
const char* const LowScalePrefix = "low_scale_model.";

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

ShapeMap shapesOf(const io::TensorMap& tensors)
{
    ShapeMap shapes;
    for (const auto& [name, tensor] : tensors)
        shapes[name] = tensor.sizes().vec();
    return shapes;
}

bool isScheduleBuffer(const std::string& name)
{
    static const std::set<std::string> names = {"betas", "alphas_cumprod", "alphas_cumprod_prev",
        "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
        "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
        "scale_factor", "logvar", "lvlb_weights",
        // ours: the fitted latent → RGB preview matrix (pipeline/latent_projection.h)
        "latent_rgb_projection"};
    return names.count(name) != 0;
}

/// True when the file's cond_stage_model.* tensors are a second copy of its first stage, as
/// inpainting models (cond_stage_config: __is_first_stage__) save them: same names, same shapes.
bool condStageCopiesFirstStage(const ShapeMap& shapes)
{
    const std::string cond = CondPrefix;
    size_t copies = 0;
    for (const auto& [name, shape] : shapes) {
        if (!startsWith(name, cond))
            continue;
        const auto original = shapes.find(FirstStagePrefix + name.substr(cond.size()));
        if (original == shapes.end() || original->second != shape)
            return false;
        ++copies;
    }
    return copies > 0;
}

/// The stored `low_scale_model.alphas_cumprod` must be the schedule the config describes
/// (float16 files round it to about 1e-3); the values are computed, as the reference does.
Result<void> checkLowScaleBuffers(const io::TensorMap& tensors, const LowScaleAugmentation& low)
{
    const auto stored = tensors.find(std::string(LowScalePrefix) + "alphas_cumprod");
    if (stored == tensors.end())
        return {};
    const torch::Tensor expected = low.buffers().at("alphas_cumprod");
    if (stored->second.sizes() != expected.sizes())
        return makeError(ErrorCode::WeightsMismatch,
                         "low_scale_model.alphas_cumprod has " +
                             std::to_string(stored->second.numel()) + " steps, the config " +
                             std::to_string(expected.numel()));
    const double error =
        (stored->second.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
    if (error > 2e-3)
        return makeError(ErrorCode::WeightsMismatch,
                         "low_scale_model.alphas_cumprod is not the low_scale_config schedule "
                         "(differs by " + std::to_string(error) + "); give the model's config.yaml");
    return {};
}

/// Collects the problems of every part so one message lists them all.
struct Problems {
    std::string text;
    void add(const std::string& part, const Error& error)
    {
        text += (text.empty() ? "" : "\n") + part + ": " + error.message;
    }
};

} // namespace

Result<io::TensorMap> emaWeightsFor(const torch::nn::Module& unet, const io::TensorMap& tensors)
{
    io::TensorMap out;
    std::map<std::string, std::string> seen;
    std::vector<std::string> names;
    for (const auto& item : unet.named_parameters(true))
        names.push_back(item.key());
    for (const std::string& name : names) {
        std::string dotless = "diffusion_model." + name;
        dotless.erase(std::remove(dotless.begin(), dotless.end(), '.'), dotless.end());
        if (auto [it, fresh] = seen.emplace(dotless, name); !fresh)
            return makeError(ErrorCode::WeightsMismatch, "EMA names of '" + it->second +
                                                             "' and '" + name + "' collide");
        auto found = tensors.find("model_ema." + dotless);
        if (found == tensors.end())
            return makeError(ErrorCode::WeightsMismatch,
                             "EMA weight model_ema." + dotless + " (for " + name + ") is missing");
        out[UNetPrefix + name] = found->second;
    }
    return out;
}

Result<LatentDiffusion> LatentDiffusion::load(const std::string& path, const LoadOptions& options)
{
    auto file = io::openCheckpointTensors(path); // safetensors or PyTorch .ckpt, by content
    if (!file)
        return file.error();
    auto plan = planLoad(file->tensors, file->metadata, options, path);
    if (!plan)
        return makeError(plan.error().code, path + ": " + plan.error().message);
    auto model = fromPlan(*plan, file->tensors);
    if (!model)
        return makeError(model.error().code, path + ": " + model.error().message);
    return model;
}

Result<LatentDiffusion> LatentDiffusion::create(const LdmConfig& config)
{
    LatentDiffusion model;
    model.m_config = config;
    auto schedule = NoiseSchedule::fromConfig(config.schedule);
    if (!schedule)
        return schedule.error();
    model.m_schedule = schedule.value();
    model.m_scaleFactor = config.scaleFactor;
    try {
        if (config.unet) {
            if (auto ok = config.unet->validate(); !ok)
                return ok.error();
            model.m_unet = UNetModel(*config.unet);
        }
        if (config.firstStage) {
            auto stage = FirstStage::create(*config.firstStage);
            if (!stage)
                return stage.error();
            model.m_firstStage = stage.value();
        }
        if (config.text)
            model.m_text = BertEmbedder(*config.text);
        if (config.clipText)
            model.m_clip = ClipTextEncoder(*config.clipText);
        if (config.openClipText)
            model.m_openClip = OpenClipTextEncoder(*config.openClipText);
        if (config.classEmbedder)
            model.m_class = ClassEmbedder(*config.classEmbedder);
        if (config.rescaler)
            model.m_rescaler = SpatialRescaler(*config.rescaler);
        if (config.lowScale) {
            auto low = LowScaleAugmentation::create(*config.lowScale);
            if (!low)
                return low.error();
            model.m_lowScale = low.value();
        }
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidRequest,
                         std::string("cannot build the networks: ") + error.what());
    }
    if (!model.m_unet.is_empty())
        model.m_unet->eval();
    if (!model.m_text.is_empty())
        model.m_text->eval();
    if (!model.m_clip.is_empty())
        model.m_clip->eval();
    if (!model.m_openClip.is_empty())
        model.m_openClip->eval();
    if (!model.m_class.is_empty())
        model.m_class->eval();
    if (!model.m_rescaler.is_empty())
        model.m_rescaler->eval();
    return model;
}

Result<LatentDiffusion> LatentDiffusion::fromTensors(
    const io::TensorMap& tensors, const std::map<std::string, std::string>& metadata,
    const LoadOptions& options)
{
    auto plan = planLoad(tensors, metadata, options);
    if (!plan)
        return plan.error();
    return fromPlan(*plan, tensors);
}

Result<LatentDiffusion> LatentDiffusion::fromPlan(const LoadPlan& plan, const io::TensorMap& tensors)
{
    const LdmConfig* config = &plan.config;
    const ShapeMap shapes = shapesOf(tensors);
    if (!config->unet && !config->firstStage && config->condStage == CondStageKind::None)
        return makeError(ErrorCode::InvalidFile,
                         "no latent diffusion parts found (expected model.diffusion_model.*, "
                         "first_stage_model.*, cond_stage_model.* or encoder.*/decoder.* names)");
    auto built = create(*config);
    if (!built)
        return built.error();
    LatentDiffusion model = std::move(built.value());

    Problems problems;
    std::set<std::string> claimed; // prefixes that a part consumed
    auto loadPart = [&](const char* part, torch::nn::Module& module, const io::TensorMap& source,
                        const std::string& prefix, std::vector<std::string> ignored = {}) {
        auto report = io::loadStateDict(module, source, prefix, ignored);
        if (!report)
            problems.add(part, report.error());
    };
    model.m_weights = plan.weights;
    model.m_configPath = plan.configPath;
    model.m_configSource = plan.configSource;
    if (!model.m_unet.is_empty()) {
        if (plan.weights.useEma) {
            auto ema = emaWeightsFor(*model.m_unet, tensors);
            if (!ema)
                problems.add("UNet (EMA)", ema.error());
            else
                loadPart("UNet (EMA)", *model.m_unet, *ema, UNetPrefix);
        } else {
            loadPart("UNet", *model.m_unet, tensors, UNetPrefix);
        }
        claimed.insert(UNetPrefix);
    }
    if (model.m_firstStage) {
        const std::string prefix = hasPrefix(shapes, FirstStagePrefix) ? FirstStagePrefix : "";
        if (auto ok = model.m_firstStage->load(tensors, prefix); !ok)
            problems.add("first stage", ok.error());
        claimed.insert(prefix.empty() ? std::string("encoder.") : prefix);
        if (prefix.empty())
            claimed.insert({"decoder.", "quant_conv.", "post_quant_conv.", "quantize.", "loss."});
    }
    // The sampler encodes with first_stage_model, so the copy is checked, not loaded twice.
    if (model.m_firstStage && model.m_config.condStage == CondStageKind::None &&
        condStageCopiesFirstStage(shapes))
        claimed.insert(CondPrefix);
    if (!model.m_text.is_empty()) {
        loadPart("text encoder", *model.m_text, tensors, CondPrefix);
        claimed.insert(CondPrefix);
    }
    if (!model.m_clip.is_empty()) {
        loadPart("CLIP text encoder", *model.m_clip, tensors, CondPrefix);
        claimed.insert(CondPrefix);
    }
    if (!model.m_openClip.is_empty()) {
        loadPart("OpenCLIP text encoder", *model.m_openClip, tensors, CondPrefix);
        claimed.insert(CondPrefix);
    }
    if (!model.m_class.is_empty()) {
        loadPart("class embedder", *model.m_class, tensors, CondPrefix);
        claimed.insert(CondPrefix);
    }
    if (!model.m_rescaler.is_empty()) {
        const std::string prefix =
            model.m_config.condStage == CondStageKind::SpatialRescaler ? CondPrefix : ConcatPrefix;
        loadPart("spatial rescaler", *model.m_rescaler, tensors, prefix);
        claimed.insert(prefix);
    }
    if (model.m_lowScale) {
        if (auto ok = checkLowScaleBuffers(tensors, *model.m_lowScale); !ok)
            problems.add("low-scale noise augmentation", ok.error());
        claimed.insert(LowScalePrefix);
    }
    std::vector<std::string> stray;
    for (const auto& [name, tensor] : tensors) {
        bool known = isScheduleBuffer(name) || startsWith(name, "model_ema.");
        for (const auto& prefix : claimed)
            known = known || startsWith(name, prefix);
        if (!known)
            stray.push_back(name);
    }
    if (!stray.empty()) {
        std::string list;
        for (size_t i = 0; i < stray.size() && i < 20; ++i)
            list += "\n  unexpected: " + stray[i];
        if (stray.size() > 20)
            list += "\n  ... and " + std::to_string(stray.size() - 20) + " more";
        problems.add("checkpoint", makeError(ErrorCode::WeightsMismatch,
                                             "tensors that belong to no part of the model:" + list));
    }
    if (!problems.text.empty())
        return makeError(ErrorCode::WeightsMismatch, problems.text);
    // Only the weights that run are checked: an unused EMA copy may hold anything.
    if (auto finite = checkFiniteWeights(model.stateDict()); !finite)
        return finite.error();

    if (auto it = tensors.find("alphas_cumprod"); it != tensors.end()) {
        auto schedule = NoiseSchedule::fromAlphasCumprod(it->second);
        if (!schedule)
            return schedule.error();
        model.m_schedule = schedule.value();
    }
    if (auto it = tensors.find("scale_factor"); it != tensors.end() && it->second.numel() == 1)
        model.m_scaleFactor = it->second.to(torch::kFloat64).item<double>();
    return model;
}

torch::Tensor LatentDiffusion::encodeTokens(const torch::Tensor& tokens, int64_t clipSkip) const
{
    // Holders share their module; copies give the non-const access forward() needs.
    if (ClipTextEncoder clip = m_clip; !clip.is_empty())
        return clip->forward(tokens, clipSkip);
    if (OpenClipTextEncoder openClip = m_openClip; !openClip.is_empty())
        return openClip->forward(tokens);
    TORCH_CHECK(!m_text.is_empty(), "this model has no text encoder");
    BertEmbedder text = m_text;
    return text->forward(tokens);
}

torch::Tensor LatentDiffusion::tokenEmbeddings(const torch::Tensor& tokens) const
{
    if (ClipTextEncoder clip = m_clip; !clip.is_empty())
        return clip->tokenEmbeddings(tokens);
    OpenClipTextEncoder openClip = m_openClip;
    TORCH_CHECK(!openClip.is_empty(), "this model has no CLIP or OpenCLIP text encoder");
    return openClip->tokenEmbeddings(tokens);
}

torch::Tensor LatentDiffusion::encodeTokenEmbeddings(const torch::Tensor& embeddings,
                                                     int64_t clipSkip) const
{
    if (ClipTextEncoder clip = m_clip; !clip.is_empty())
        return clip->forwardEmbeddings(embeddings, clipSkip);
    OpenClipTextEncoder openClip = m_openClip;
    TORCH_CHECK(!openClip.is_empty(), "this model has no CLIP or OpenCLIP text encoder");
    return openClip->forwardEmbeddings(embeddings);
}

int64_t LatentDiffusion::parameterCount() const
{
    int64_t count = 0;
    for (const auto& [name, tensor] : stateDict())
        count += tensor.numel();
    return count;
}

io::TensorMap LatentDiffusion::stateDict() const
{
    io::TensorMap out;
    auto add = [&](const io::TensorMap& part) { out.insert(part.begin(), part.end()); };
    if (!m_unet.is_empty())
        add(io::stateDict(*m_unet, UNetPrefix));
    if (m_firstStage)
        add(io::stateDict(m_firstStage->module(), FirstStagePrefix));
    // Inpainting models (cond_stage_config __is_first_stage__) keep the first stage a second
    // time as their cond stage; writing the copy back keeps the reference layout of the file.
    if (m_firstStage && m_config.unet && m_config.condStage == CondStageKind::None &&
        m_rescaler.is_empty() &&
        m_config.unet->inChannels == 2 * m_firstStage->latentChannels() + 1)
        add(io::stateDict(m_firstStage->module(), CondPrefix));
    if (!m_text.is_empty())
        add(io::stateDict(*m_text, CondPrefix));
    if (!m_clip.is_empty())
        add(io::stateDict(*m_clip, CondPrefix));
    if (!m_openClip.is_empty())
        add(io::stateDict(*m_openClip, CondPrefix));
    if (!m_class.is_empty())
        add(io::stateDict(*m_class, CondPrefix));
    if (!m_rescaler.is_empty())
        add(io::stateDict(*m_rescaler, m_config.condStage == CondStageKind::SpatialRescaler
                                           ? CondPrefix
                                           : ConcatPrefix));
    if (m_lowScale) // the reference's persistent buffers of its low_scale_model
        for (const auto& [name, buffer] : m_lowScale->buffers())
            if (name.rfind("posterior_", 0) != 0)
                out[LowScalePrefix + name] = buffer;
    return out;
}

void LatentDiffusion::to(torch::Device device, torch::ScalarType dtype)
{
    if (!m_unet.is_empty())
        m_unet->to(device, dtype);
    if (m_firstStage)
        m_firstStage->module().to(device, dtype);
    if (!m_text.is_empty())
        m_text->to(device, dtype);
    if (!m_clip.is_empty())
        m_clip->to(device, dtype);
    if (!m_openClip.is_empty())
        m_openClip->to(device, dtype);
    if (!m_class.is_empty())
        m_class->to(device, dtype);
    if (!m_rescaler.is_empty())
        m_rescaler->to(device, dtype);
}

} // namespace ldm
