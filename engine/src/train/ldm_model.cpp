// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ldm_model.h"

#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "pipeline/latent_projection.h"
#include "train/run_folder.h"

#include <algorithm>

namespace ldm::train {
namespace {

using nlohmann::json;

const char* const UNetPrefix = "model.diffusion_model.";
const char* const CondPrefix = "cond_stage_model.";
const char* const ConcatPrefix = "concat_stage_model.";

/// Sets `key` of the UNet kwargs unless the YAML already has it; a different value is an error.
Result<void> fill(json& kwargs, const char* key, const json& value)
{
    if (!kwargs.contains(key) || kwargs[key].is_null()) {
        kwargs[key] = value;
        return {};
    }
    if (kwargs[key] != value)
        return makeError(ErrorCode::InvalidRequest, std::string("training config: 'model.unet.") +
                                                        key + "' is " + kwargs[key].dump() +
                                                        " but the run needs " + value.dump() +
                                                        " (leave it out to have it filled in)");
    return {};
}

std::vector<torch::Tensor> parametersOf(const LdmNets& nets)
{
    std::vector<torch::Tensor> out = nets.unet->parameters();
    if (!nets.text.is_empty())
        for (auto& p : nets.text->parameters())
            out.push_back(p);
    if (!nets.rescaler.is_empty())
        for (auto& p : nets.rescaler->parameters())
            out.push_back(p);
    return out;
}

} // namespace

Result<std::vector<SemanticClass>> readPaletteClasses(const std::string& path)
{
    auto palette = readJsonFile(path);
    if (!palette)
        return palette.error();
    if (!palette->is_object() || !palette->contains("classes") || !(*palette)["classes"].is_array())
        return makeError(ErrorCode::InvalidFile, path + " has no \"classes\" list");
    std::vector<SemanticClass> classes;
    for (const auto& item : (*palette)["classes"]) {
        if (!item.is_object() || !item.contains("id") || !item["id"].is_number_integer())
            return makeError(ErrorCode::InvalidFile, path + ": a class without an integer id");
        classes.push_back({item["id"].get<int>(), item.value("name", std::string()),
                           item.value("color", std::string("#000000"))});
    }
    std::sort(classes.begin(), classes.end(),
              [](const SemanticClass& a, const SemanticClass& b) { return a.id < b.id; });
    for (size_t i = 0; i < classes.size(); ++i)
        if (classes[i].id != int(i))
            return makeError(ErrorCode::InvalidFile,
                             path + ": class ids must be 0, 1, 2, ... without gaps");
    if (classes.empty())
        return makeError(ErrorCode::InvalidFile, path + " lists no classes");
    return classes;
}

Result<LdmConfig> makeRunLdmConfig(const LdmTrainConfig& config,
                                   const AutoencoderConfig& firstStage, int64_t vocabSize,
                                   const std::vector<SemanticClass>& classes,
                                   const std::string& tokenizerFile, double scaleFactor)
{
    LdmConfig out;
    out.schedule = config.model.schedule;
    out.scaleFactor = scaleFactor;
    out.conditioningKey = config.model.conditioning;
    out.firstStage = firstStage;
    out.name = config.model.name;
    const int64_t latent = firstStage.embedDim;
    int64_t concatChannels = 0;
    if (config.usesMap()) {
        SpatialRescalerConfig rescaler;
        rescaler.nStages = config.model.rescalerStages;
        rescaler.method = "bilinear";
        rescaler.multiplier = 0.5;
        rescaler.inChannels = int64_t(classes.size());
        out.rescaler = rescaler;
        out.classes = classes;
        concatChannels = int64_t(classes.size());
        if (firstStage.ddconfig.downFactor() != (int64_t{1} << config.model.rescalerStages))
            return makeError(ErrorCode::InvalidRequest,
                             "training config: 'model.map_stages' must halve the map down to "
                             "the latent size (2^stages = the first stage's factor " +
                                 std::to_string(firstStage.ddconfig.downFactor()) + ")");
    } else if (config.isSuperRes()) {
        out.concatImage = true;
        concatChannels = firstStage.ddconfig.inChannels;
        if (firstStage.ddconfig.downFactor() != 4)
            return makeError(ErrorCode::InvalidRequest,
                             "4x super-resolution concatenates the low-res image at latent size: "
                             "it needs an f = 4 first stage");
    }
    json kwargs = config.model.unet;
    if (auto ok = fill(kwargs, "in_channels", latent + concatChannels); !ok)
        return ok.error();
    if (auto ok = fill(kwargs, "out_channels", latent); !ok)
        return ok.error();
    if (config.usesText()) {
        auto text = TextEncoderConfig::fromJson([&] {
            json t = config.model.text;
            t["vocab_size"] = vocabSize;
            return t;
        }());
        if (!text)
            return makeError(text.error().code,
                             "training config: 'model.text': " + text.error().message);
        out.text = text.value();
        out.tokenizer = tokenizerFile;
        out.condStage = CondStageKind::Text;
        if (auto ok = fill(kwargs, "context_dim", text->nEmbed); !ok)
            return ok.error();
        if (auto ok = fill(kwargs, "use_spatial_transformer", true); !ok)
            return ok.error();
    } else if (config.usesMap()) {
        out.condStage = CondStageKind::SpatialRescaler;
    }
    if (!kwargs.contains("image_size"))
        kwargs["image_size"] = config.data.imageSize / firstStage.ddconfig.downFactor();
    auto unet = UNetConfig::fromJson(kwargs);
    if (!unet)
        return makeError(unet.error().code,
                         "training config: 'model.unet': " + unet.error().message);
    out.unet = unet.value();
    return out;
}

namespace {

/// CompVis' training initialisation on top of the PyTorch defaults: zero_module on the last
/// conv of every residual branch (ResBlock out_layers.3, attention proj_out, the output
/// conv), so every block starts as the identity and the first prediction is ε = 0; token and
/// position embeddings N(0, 0.02) as x-transformers' TransformerWrapper.init_().
void initialiseForTraining(LdmNets& nets)
{
    torch::NoGradGuard noGrad;
    auto endsWith = [](const std::string& text, const std::string& tail) {
        return text.size() >= tail.size() &&
               text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
    };
    for (auto& item : nets.unet->named_parameters(true)) {
        const std::string& name = item.key();
        const std::string base = name.substr(0, name.rfind('.'));
        if (base == "out.2" || endsWith(base, "out_layers.3") || endsWith(base, "proj_out"))
            item.value().zero_();
    }
    if (!nets.text.is_empty())
        for (auto& item : nets.text->named_parameters(true))
            if (endsWith(item.key(), "token_emb.weight") ||
                endsWith(item.key(), "pos_emb.emb.weight"))
                item.value().normal_(0.0, 0.02);
}

} // namespace

Result<LdmNets> LdmNets::create(const LdmConfig& config)
{
    LdmNets nets;
    try {
        auto unet = makeUNetModel(*config.unet);
        if (!unet)
            return unet.error();
        nets.unet = unet.value();
        if (config.text)
            nets.text = BertEmbedder(*config.text);
        if (config.rescaler)
            nets.rescaler = SpatialRescaler(*config.rescaler);
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidRequest,
                         std::string("cannot build the networks: ") + error.what());
    }
    initialiseForTraining(nets);
    return nets;
}

std::vector<torch::Tensor> LdmNets::parameters() const
{
    return parametersOf(*this);
}

io::TensorMap LdmNets::stateDict(const LdmConfig& config) const
{
    io::TensorMap out = io::stateDict(*unet, UNetPrefix);
    if (!text.is_empty()) {
        auto part = io::stateDict(*text, CondPrefix);
        out.insert(part.begin(), part.end());
    }
    if (!rescaler.is_empty()) {
        const bool cond = config.condStage == CondStageKind::SpatialRescaler;
        auto part = io::stateDict(*rescaler, cond ? CondPrefix : ConcatPrefix);
        out.insert(part.begin(), part.end());
    }
    return out;
}

Result<void> LdmNets::load(const LdmConfig& config, const io::TensorMap& tensors)
{
    std::string problems;
    auto loadPart = [&](const char* what, torch::nn::Module& module, const std::string& prefix) {
        if (auto report = io::loadStateDict(module, tensors, prefix); !report)
            problems +=
                std::string(problems.empty() ? "" : "\n") + what + ": " + report.error().message;
    };
    loadPart("UNet", *unet, UNetPrefix);
    if (!text.is_empty())
        loadPart("text encoder", *text, CondPrefix);
    if (!rescaler.is_empty() && rescaler->remapsOutput())
        loadPart("map rescaler", *rescaler,
                 config.condStage == CondStageKind::SpatialRescaler ? CondPrefix : ConcatPrefix);
    if (!problems.empty())
        return makeError(ErrorCode::WeightsMismatch, problems);
    return {};
}

void LdmNets::setTraining(bool on)
{
    unet->train(on);
    if (!text.is_empty())
        text->train(on);
    if (!rescaler.is_empty())
        rescaler->train(on);
}

void LdmNets::copyFrom(const LdmNets& other)
{
    torch::NoGradGuard noGrad;
    auto target = parameters();
    auto source = other.parameters();
    for (size_t i = 0; i < target.size() && i < source.size(); ++i)
        target[i].copy_(source[i]);
}

void LdmNets::blendInto(LdmNets& ema, double decay) const
{
    torch::NoGradGuard noGrad;
    auto source = parameters();
    auto target = ema.parameters();
    for (size_t i = 0; i < source.size() && i < target.size(); ++i)
        target[i].mul_(decay).add_(source[i].detach(), 1.0 - decay);
}

void LdmNets::toChannelsLast()
{
    torch::NoGradGuard noGrad;
    for (auto& parameter : unet->parameters())
        if (parameter.dim() == 4)
            parameter.set_data(parameter.data().contiguous(at::MemoryFormat::ChannelsLast));
}

torch::Tensor mapConcat(const LdmNets& nets, const torch::Tensor& oneHot)
{
    SpatialRescaler rescaler = nets.rescaler; // holders share the module; forward is non-const
    return rescaler->forward(oneHot);
}

torch::Tensor predictNoise(const LdmNets& nets, const torch::Tensor& zt,
                           const torch::Tensor& timesteps, const LdmCond& cond)
{
    torch::Tensor x = zt;
    if (cond.concat.defined())
        x = torch::cat({zt, cond.concat.to(zt.scalar_type())}, 1);
    if (x.dim() == 4 && zt.is_contiguous(at::MemoryFormat::ChannelsLast))
        x = x.contiguous(at::MemoryFormat::ChannelsLast);
    torch::Tensor context;
    if (cond.tokens.defined()) {
        BertEmbedder text = nets.text; // holders share the module; forward is non-const
        context = text->forward(cond.tokens);
    }
    UNetModel unet = nets.unet;
    return unet->forward(x, timesteps, context).to(torch::kFloat32);
}

Result<void> exportLdmCheckpoint(const std::string& path, const LdmExportParts& parts,
                                 torch::ScalarType dtype)
{
    if (!parts.trained || !parts.firstStage)
        return makeError(ErrorCode::Internal, "export without networks");
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    auto add = [&](const std::string& name, const torch::Tensor& value) {
        auto out = value.detach().to(torch::kCPU);
        if (out.is_floating_point())
            out = out.to(dtype);
        tensors.emplace_back(name, out.contiguous());
    };
    auto schedule = NoiseSchedule::fromConfig(parts.config.schedule);
    if (!schedule)
        return schedule.error();
    // The schedule and the scale factor stay float32: fp16 would shift ᾱ near t = T.
    for (const auto& [name, buffer] : schedule->buffers())
        tensors.emplace_back(name, buffer.to(torch::kFloat32).contiguous());
    tensors.emplace_back("scale_factor",
                         torch::tensor(float(parts.config.scaleFactor), torch::kFloat32));
    const LdmNets& shippedText = parts.ema ? *parts.ema : *parts.trained;
    const bool emaOnly = parts.emaOnly && parts.ema;
    for (const auto& [name, value] :
         io::stateDict(emaOnly ? *parts.ema->unet : *parts.trained->unet, UNetPrefix))
        add(name, value);
    if (parts.ema && !emaOnly) {
        for (const auto& [name, value] : io::stateDict(*parts.ema->unet, "diffusion_model.")) {
            std::string dotless = name;
            dotless.erase(std::remove(dotless.begin(), dotless.end(), '.'), dotless.end());
            add("model_ema." + dotless, value);
        }
        tensors.emplace_back("model_ema.decay", torch::tensor(float(parts.emaDecay)));
        tensors.emplace_back("model_ema.num_updates",
                             torch::tensor(int(parts.emaUpdates), torch::kInt32));
    }
    for (const auto& [name, value] : shippedText.stateDict(parts.config))
        if (name.rfind(UNetPrefix, 0) != 0)
            add(name, value);
    for (const auto& [name, value] :
         io::stateDict(parts.firstStage->module(), "first_stage_model."))
        add(name, value);
    if (parts.previewProjection.defined())
        tensors.emplace_back(
            LatentProjection::TensorName,
            parts.previewProjection.detach().to(torch::kCPU, torch::kFloat32).contiguous());
    auto metadata = parts.config.toMetadata();
    for (const auto& [key, value] : parts.extraMetadata)
        metadata[key] = value;
    if (parts.ema && !parts.trained->text.is_empty())
        metadata["cond_stage_ema"] = "true";
    if (auto ok = io::writeSafetensors(path, tensors, metadata); !ok)
        return ok;
    auto check = LatentDiffusion::load(path);
    if (!check)
        return makeError(check.error().code,
                         "the exported file does not load cleanly: " + check.error().message);
    return {};
}

} // namespace ldm::train
