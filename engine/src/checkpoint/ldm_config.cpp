// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/ldm_config.h"

namespace ldm {
namespace {

using nlohmann::json;

Result<json> parseJsonString(const std::map<std::string, std::string>& metadata,
                             const std::string& key)
{
    auto it = metadata.find(key);
    if (it == metadata.end())
        return json();
    json parsed = json::parse(it->second, nullptr, false);
    if (parsed.is_discarded())
        return makeError(ErrorCode::InvalidFile,
                         "metadata '" + key + "' is not valid JSON: " + it->second.substr(0, 80));
    return parsed;
}

template <typename Config>
Result<void> assign(std::optional<Config>& target, const json& params, const char* what)
{
    auto parsed = Config::fromJson(params);
    if (!parsed)
        return makeError(parsed.error().code,
                         std::string(what) + " config: " + parsed.error().message);
    target = std::move(parsed.value());
    return {};
}

Result<void> readScheduleParams(LdmConfig& config, const json& params)
{
    try {
        config.schedule.linearStart = params.value("linear_start", config.schedule.linearStart);
        config.schedule.linearEnd = params.value("linear_end", config.schedule.linearEnd);
        config.schedule.timesteps = params.value("timesteps", config.schedule.timesteps);
        config.schedule.betaSchedule = params.value("beta_schedule", config.schedule.betaSchedule);
        config.parameterization = params.value("parameterization", config.parameterization);
        if (!config.parameterization.empty() && config.parameterization != "eps" &&
            config.parameterization != "v")
            return makeError(ErrorCode::InvalidFile,
                             "parameterization '" + config.parameterization +
                                 "' is not supported (eps or v)");
        if (params.contains("scale_factor") && params["scale_factor"].is_number())
            config.scaleFactor = params["scale_factor"].get<double>();
        if (params.contains("conditioning_key") && params["conditioning_key"].is_string()) {
            auto key = parseConditioningKey(params["conditioning_key"].get<std::string>());
            if (!key)
                return key.error();
            config.conditioningKey = key.value();
        } else if (params.contains("concat_mode")) {
            config.conditioningKey = params.value("concat_mode", true) ? ConditioningKey::Concat
                                                                      : ConditioningKey::CrossAttn;
        }
    } catch (const json::exception& error) {
        return makeError(ErrorCode::InvalidFile, std::string("bad LDM params: ") + error.what());
    }
    return {};
}

bool isHexColor(const json& value)
{
    if (!value.is_string())
        return false;
    const std::string& text = value.get_ref<const std::string&>();
    return text.size() == 7 && text[0] == '#' &&
           text.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
}

// The class list comes from the file: a wrong type must be a message naming the entry, not a
// json::type_error (or a std::stoul failure when a map is painted with a bad colour).
Result<void> readClasses(const json& classes, std::vector<SemanticClass>& out)
{
    if (classes.is_null())
        return {};
    const auto bad = [](const std::string& detail) {
        return makeError(ErrorCode::InvalidFile, "metadata 'classes': " + detail);
    };
    if (!classes.is_array())
        return bad("must be a list of {id, name, color}, found " +
                   std::string(classes.type_name()));
    for (size_t i = 0; i < classes.size(); ++i) {
        const json& item = classes[i];
        const std::string where = "entry " + std::to_string(i) + " ";
        if (!item.is_object())
            return bad(where + "is not an object");
        const auto id = item.find("id");
        if (id == item.end() || !id->is_number_integer() || id->get<int64_t>() < 0 ||
            id->get<int64_t>() > 255)
            return bad(where + "needs an integer \"id\" from 0 to 255");
        const auto name = item.find("name");
        if (name != item.end() && !name->is_string())
            return bad(where + "has a \"name\" that is not text");
        const auto color = item.find("color");
        if (color != item.end() && !isHexColor(*color))
            return bad(where + "needs \"color\" as \"#rrggbb\", found " +
                       color->dump().substr(0, 40));
        out.push_back({int(id->get<int64_t>()),
                       name == item.end() ? std::string() : name->get<std::string>(),
                       color == item.end() ? std::string("#000000") : color->get<std::string>()});
    }
    return {};
}

// `low_scale_config.params` (or our metadata's `low_scale`): noise_schedule_config and
// max_noise_level; what is absent keeps the x4-upscaling.yaml values.
Result<LowScaleConfig> readLowScale(const json& params)
{
    LowScaleConfig out;
    try {
        if (params.contains("noise_schedule_config") && params["noise_schedule_config"].is_object()) {
            const json& s = params["noise_schedule_config"];
            out.schedule.linearStart = s.value("linear_start", out.schedule.linearStart);
            out.schedule.linearEnd = s.value("linear_end", out.schedule.linearEnd);
            out.schedule.timesteps = s.value("timesteps", out.schedule.timesteps);
            out.schedule.betaSchedule = s.value("beta_schedule", out.schedule.betaSchedule);
        }
        out.maxNoiseLevel = params.value("max_noise_level", out.maxNoiseLevel);
    } catch (const json::exception& error) {
        return makeError(ErrorCode::InvalidFile, std::string("bad low_scale_config: ") + error.what());
    }
    if (auto ok = LowScaleAugmentation::create(out); !ok)
        return ok.error();
    return out;
}

json lowScaleToJson(const LowScaleConfig& c)
{
    return {{"noise_schedule_config",
             {{"linear_start", c.schedule.linearStart}, {"linear_end", c.schedule.linearEnd},
              {"timesteps", c.schedule.timesteps}, {"beta_schedule", c.schedule.betaSchedule}}},
            {"max_noise_level", c.maxNoiseLevel}};
}

json textToJson(const TextEncoderConfig& c)
{
    return {{"n_embed", c.nEmbed}, {"n_layer", c.nLayer}, {"vocab_size", c.vocabSize},
            {"max_seq_len", c.maxSeqLen}, {"heads", c.heads}, {"dim_head", c.dimHead},
            {"use_tokenizer", c.useTokenizer}};
}

json rescalerToJson(const SpatialRescalerConfig& c)
{
    json out = {{"n_stages", c.nStages}, {"method", c.method}, {"multiplier", c.multiplier},
                {"in_channels", c.inChannels}, {"bias", c.bias}};
    out["out_channels"] = c.outChannels > 0 ? json(c.outChannels) : json(nullptr);
    return out;
}

} // namespace

const char* conditioningKeyName(ConditioningKey key)
{
    switch (key) {
    case ConditioningKey::None: return "none";
    case ConditioningKey::CrossAttn: return "crossattn";
    case ConditioningKey::Concat: return "concat";
    case ConditioningKey::Hybrid: return "hybrid";
    case ConditioningKey::Adm: return "adm";
    case ConditioningKey::HybridAdm: return "hybrid-adm";
    }
    return "?";
}

Result<ConditioningKey> parseConditioningKey(const std::string& name)
{
    for (auto key : {ConditioningKey::None, ConditioningKey::CrossAttn, ConditioningKey::Concat,
                     ConditioningKey::Hybrid, ConditioningKey::Adm, ConditioningKey::HybridAdm})
        if (name == conditioningKeyName(key))
            return key;
    return makeError(ErrorCode::InvalidFile,
                     "unknown conditioning_key '" + name +
                         "' (crossattn, concat, hybrid, adm or hybrid-adm)");
}

const char* condStageKindName(CondStageKind kind)
{
    switch (kind) {
    case CondStageKind::None: return "none";
    case CondStageKind::Text: return "text encoder (BERTEmbedder)";
    case CondStageKind::ClassLabel: return "class embedder";
    case CondStageKind::SpatialRescaler: return "spatial rescaler";
    case CondStageKind::ClipText: return "CLIP text encoder (FrozenCLIPEmbedder)";
    case CondStageKind::OpenClipText: return "OpenCLIP text encoder (FrozenOpenCLIPEmbedder)";
    }
    return "?";
}

Result<LdmConfig> LdmConfig::fromCompVisYaml(const json& yaml)
{
    LdmConfig config;
    if (!yaml.is_object() || !yaml.contains("model") || !yaml["model"].contains("params"))
        return makeError(ErrorCode::InvalidFile, "config.yaml has no model.params section");
    const json& params = yaml["model"]["params"];
    if (auto ok = readScheduleParams(config, params); !ok)
        return ok.error();
    if (params.contains("use_ema") && params["use_ema"].is_boolean())
        config.useEma = params["use_ema"].get<bool>();
    if (params.contains("low_scale_config") && params["low_scale_config"].is_object()) {
        const json& low = params["low_scale_config"];
        const std::string target = low.value("target", std::string());
        if (target.find("ImageConcatWithNoiseAugmentation") == std::string::npos)
            return makeError(ErrorCode::InvalidFile,
                             "unsupported low_scale_config target '" + target +
                                 "' (ImageConcatWithNoiseAugmentation is)");
        auto lowScale = readLowScale(low.value("params", json::object()));
        if (!lowScale)
            return lowScale.error();
        config.lowScale = lowScale.value();
        config.concatImage = true;
    }
    if (params.contains("unet_config"))
        if (auto ok = assign(config.unet, params["unet_config"].value("params", json::object()),
                             "unet_config");
            !ok)
            return ok.error();
    if (params.contains("first_stage_config"))
        if (auto ok = assign(config.firstStage,
                             params["first_stage_config"].value("params", json::object()),
                             "first_stage_config");
            !ok)
            return ok.error();
    if (params.contains("cond_stage_config")) {
        const json& cond = params["cond_stage_config"];
        const std::string target = cond.is_string() ? cond.get<std::string>()
                                                    : cond.value("target", std::string());
        const json condParams = cond.is_object() ? cond.value("params", json::object())
                                                 : json::object();
        if (target.find("BERTEmbedder") != std::string::npos ||
            target.find("TransformerEmbedder") != std::string::npos) {
            config.condStage = CondStageKind::Text;
            if (auto ok = assign(config.text, condParams, "cond_stage_config"); !ok)
                return ok.error();
        } else if (target.find("FrozenOpenCLIPEmbedder") != std::string::npos) {
            // Sizes from the weights; the YAML only says which layer conditions the UNet.
            config.condStage = CondStageKind::OpenClipText;
            config.openClipLayer = condParams.value("layer", std::string("last"));
        } else if (target.find("FrozenCLIPEmbedder") != std::string::npos) {
            // The network's sizes come from the weights (the YAML names a Hugging Face model).
            config.condStage = CondStageKind::ClipText;
        } else if (target.find("ClassEmbedder") != std::string::npos) {
            config.condStage = CondStageKind::ClassLabel;
            if (auto ok = assign(config.classEmbedder, condParams, "cond_stage_config"); !ok)
                return ok.error();
        } else if (target.find("SpatialRescaler") != std::string::npos) {
            config.condStage = CondStageKind::SpatialRescaler;
            if (auto ok = assign(config.rescaler, condParams, "cond_stage_config"); !ok)
                return ok.error();
        } else if (target.find("Identity") != std::string::npos) {
            config.concatImage = true;
        } else if (target == "__is_first_stage__") {
            // Inpainting models (inpainting_big) encode the masked image with the first stage
            // itself: no separate network to build; the loader accepts the stored copy.
        } else if (target != "__is_unconditional__") {
            return makeError(ErrorCode::InvalidFile,
                             "unsupported cond_stage_config target '" + target + "'");
        }
    }
    return config;
}

Result<LdmConfig> LdmConfig::fromMetadata(const std::map<std::string, std::string>& metadata)
{
    LdmConfig config;
    auto field = [&](const std::string& key) { return parseJsonString(metadata, key); };
    auto ldmParams = field("ldm_params");
    if (!ldmParams)
        return ldmParams.error();
    if (ldmParams->is_object())
        if (auto ok = readScheduleParams(config, *ldmParams); !ok)
            return ok.error();
    // Single-part files describe their part in `config`; tell the parts apart by their keys.
    auto generic = field("config");
    if (!generic)
        return generic.error();
    auto unet = field("unet");
    if (!unet)
        return unet.error();
    if (unet->is_null() && generic->is_object() && generic->contains("model_channels"))
        unet = generic.value();
    if (unet->is_object())
        if (auto ok = assign(config.unet, *unet, "unet"); !ok)
            return ok.error();
    if (metadata.count("ddconfig")) {
        auto firstStage = AutoencoderConfig::fromMetadata(metadata);
        if (!firstStage)
            return makeError(firstStage.error().code,
                             "first stage config: " + firstStage.error().message);
        config.firstStage = firstStage.value();
    }
    auto text = field("text");
    if (!text)
        return text.error();
    if (text->is_null() && generic->is_object() && generic->contains("n_layer"))
        text = generic.value();
    if (text->is_object()) {
        config.condStage = CondStageKind::Text;
        if (auto ok = assign(config.text, *text, "text"); !ok)
            return ok.error();
    }
    auto clipText = field("clip_text");
    if (!clipText)
        return clipText.error();
    if (clipText->is_object()) {
        config.condStage = CondStageKind::ClipText;
        if (auto ok = assign(config.clipText, *clipText, "clip_text"); !ok)
            return ok.error();
    }
    auto openClip = field("open_clip_text");
    if (!openClip)
        return openClip.error();
    if (openClip->is_object()) {
        config.condStage = CondStageKind::OpenClipText;
        if (auto ok = assign(config.openClipText, *openClip, "open_clip_text"); !ok)
            return ok.error();
    }
    auto classEmbedder = field("class_embedder");
    if (!classEmbedder)
        return classEmbedder.error();
    if (classEmbedder->is_object()) {
        config.condStage = CondStageKind::ClassLabel;
        if (auto ok = assign(config.classEmbedder, *classEmbedder, "class_embedder"); !ok)
            return ok.error();
    }
    auto rescaler = field("rescaler");
    if (!rescaler)
        return rescaler.error();
    if (rescaler->is_object()) {
        if (config.condStage == CondStageKind::None)
            config.condStage = CondStageKind::SpatialRescaler;
        if (auto ok = assign(config.rescaler, *rescaler, "rescaler"); !ok)
            return ok.error();
    }
    auto lowScale = field("low_scale");
    if (!lowScale)
        return lowScale.error();
    if (lowScale->is_object()) {
        auto low = readLowScale(*lowScale);
        if (!low)
            return low.error();
        config.lowScale = low.value();
    }
    auto classes = field("classes");
    if (!classes)
        return classes.error();
    if (auto ok = readClasses(*classes, config.classes); !ok)
        return ok.error();
    auto text_of = [&](const char* key) {
        auto it = metadata.find(key);
        return it == metadata.end() ? std::string() : it->second;
    };
    config.tokenizer = text_of("tokenizer");
    config.name = text_of("name");
    config.concatImage = text_of("concat_image") == "true";
    return config;
}

std::map<std::string, std::string> LdmConfig::toMetadata() const
{
    std::map<std::string, std::string> out;
    json params = {{"linear_start", schedule.linearStart}, {"linear_end", schedule.linearEnd},
                   {"timesteps", schedule.timesteps}, {"beta_schedule", schedule.betaSchedule},
                   {"scale_factor", scaleFactor},
                   {"conditioning_key", conditioningKeyName(conditioningKey)}};
    if (!parameterization.empty())
        params["parameterization"] = parameterization;
    out["ldm_params"] = params.dump();
    if (unet)
        out["unet"] = unet->toJson().dump();
    if (firstStage) {
        out["ddconfig"] = firstStage->ddconfig.toJson().dump();
        out["embed_dim"] = std::to_string(firstStage->embedDim);
        if (firstStage->isVq())
            out["n_embed"] = std::to_string(firstStage->nEmbed);
    }
    if (text)
        out["text"] = textToJson(*text).dump();
    if (clipText)
        out["clip_text"] = clipText->toJson().dump();
    if (openClipText)
        out["open_clip_text"] = openClipText->toJson().dump();
    if (classEmbedder)
        out["class_embedder"] =
            json{{"n_classes", classEmbedder->nClasses}, {"embed_dim", classEmbedder->embedDim}}
                .dump();
    if (rescaler)
        out["rescaler"] = rescalerToJson(*rescaler).dump();
    if (lowScale)
        out["low_scale"] = lowScaleToJson(*lowScale).dump();
    if (!classes.empty()) {
        json list = json::array();
        for (const auto& c : classes)
            list.push_back({{"id", c.id}, {"name", c.name}, {"color", c.color}});
        out["classes"] = list.dump();
    }
    if (!tokenizer.empty())
        out["tokenizer"] = tokenizer;
    if (!name.empty())
        out["name"] = name;
    if (concatImage)
        out["concat_image"] = "true";
    return out;
}

} // namespace ldm
