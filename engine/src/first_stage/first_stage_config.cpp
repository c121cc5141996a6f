// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/first_stage_config.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

namespace ldm {

namespace {

// Every Normalize() in the autoencoder is GroupNorm with 32 groups.
constexpr int64_t NormGroups = 32;
// 2^(levels-1) must stay a sane image factor.
constexpr int64_t MaxLevels = 8;

Error configError(const std::string& message)
{
    return makeError(ErrorCode::InvalidRequest, "first-stage config: " + message);
}

// YAML → JSON converters may turn `128` into 128.0; accept integral floats, nothing else.
std::optional<int64_t> asInt(const nlohmann::json& value)
{
    if (value.is_number_integer())
        return value.get<int64_t>();
    if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isfinite(d) && std::floor(d) == d && std::abs(d) < 9e15)
            return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

// Reads `key` into `out`. Absent: error when required, else `out` keeps its default.
Result<void> readInt(const nlohmann::json& obj, const char* key, bool required, int64_t& out)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (required)
            return configError(std::string("missing required key '") + key + "'");
        return {};
    }
    const auto v = asInt(*it);
    if (!v)
        return configError(std::string("'") + key + "' must be an integer, got " + it->dump());
    out = *v;
    return {};
}

Result<void> readIntList(const nlohmann::json& obj, const char* key, bool required,
                         std::vector<int64_t>& out)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (required)
            return configError(std::string("missing required key '") + key + "'");
        return {};
    }
    if (!it->is_array())
        return configError(std::string("'") + key + "' must be a list of integers, got " +
                           it->dump());
    std::vector<int64_t> values;
    for (const auto& element : *it) {
        const auto v = asInt(element);
        if (!v)
            return configError(std::string("'") + key + "' must be a list of integers, got " +
                               it->dump());
        values.push_back(*v);
    }
    out = std::move(values);
    return {};
}

// A boolean switch whose non-default value selects code this port does not have.
Result<void> rejectSwitch(const nlohmann::json& obj, const char* key, bool supported,
                          const char* why)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return {};
    if (!it->is_boolean())
        return configError(std::string("'") + key + "' must be true or false");
    if (it->get<bool>() != supported)
        return configError(std::string("'") + key + "': " + why);
    return {};
}

std::string listText(const std::vector<int64_t>& values)
{
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < values.size(); ++i)
        out << (i ? ", " : "") << values[i];
    out << ']';
    return out.str();
}

} // namespace

const char* attnTypeName(AttnType type)
{
    return type == AttnType::None ? "none" : "vanilla";
}

bool DDConfig::hasAttentionAt(int64_t currRes) const
{
    return std::find(attnResolutions.begin(), attnResolutions.end(), currRes) !=
           attnResolutions.end();
}

Result<void> DDConfig::validate() const
{
    if (inChannels <= 0)
        return configError("'in_channels' must be positive, got " + std::to_string(inChannels));
    if (outCh <= 0)
        return configError("'out_ch' must be positive, got " + std::to_string(outCh));
    if (zChannels <= 0)
        return configError("'z_channels' must be positive, got " + std::to_string(zChannels));
    if (resolution <= 0)
        return configError("'resolution' must be positive, got " + std::to_string(resolution));
    if (numResBlocks <= 0)
        return configError("'num_res_blocks' must be at least 1, got " +
                           std::to_string(numResBlocks));
    if (chMult.empty() || numLevels() > MaxLevels)
        return configError("'ch_mult' must have 1 to " + std::to_string(MaxLevels) +
                           " entries, got " + listText(chMult));
    if (ch <= 0 || ch % NormGroups != 0)
        return configError("'ch' must be a positive multiple of 32 (GroupNorm uses 32 groups), "
                           "got " +
                           std::to_string(ch));
    for (const int64_t mult : chMult) {
        if (mult <= 0 || (ch * mult) % NormGroups != 0)
            return configError("every 'ch' x 'ch_mult' entry must be a positive multiple of 32 "
                               "(GroupNorm uses 32 groups); ch " +
                               std::to_string(ch) + ", ch_mult " + listText(chMult));
    }
    for (const int64_t res : attnResolutions) {
        if (res <= 0)
            return configError("'attn_resolutions' entries must be positive, got " +
                               listText(attnResolutions));
    }
    if (!(dropout >= 0.0 && dropout < 1.0))
        return configError("'dropout' must be in [0, 1), got " + std::to_string(dropout));
    return {};
}

namespace {

Result<DDConfig> parseDDConfig(const nlohmann::json& json)
{
    if (!json.is_object())
        return configError("'ddconfig' must be an object, got " + json.dump());
    DDConfig config;
    // Required and optional exactly as in the signature of CompVis Encoder/Decoder.
    for (auto [key, required, field] :
         {std::tuple<const char*, bool, int64_t*>{"z_channels", true, &config.zChannels},
          {"resolution", true, &config.resolution},
          {"in_channels", true, &config.inChannels},
          {"out_ch", true, &config.outCh},
          {"ch", true, &config.ch},
          {"num_res_blocks", true, &config.numResBlocks}}) {
        if (auto r = readInt(json, key, required, *field); !r)
            return r.error();
    }
    if (auto r = readIntList(json, "ch_mult", false, config.chMult); !r)
        return r.error();
    if (auto r = readIntList(json, "attn_resolutions", true, config.attnResolutions); !r)
        return r.error();

    if (const auto it = json.find("double_z"); it != json.end() && !it->is_null()) {
        if (!it->is_boolean())
            return configError("'double_z' must be true or false, got " + it->dump());
        config.doubleZ = it->get<bool>();
    }
    if (const auto it = json.find("dropout"); it != json.end() && !it->is_null()) {
        if (!it->is_number())
            return configError("'dropout' must be a number, got " + it->dump());
        config.dropout = it->get<double>();
    }
    if (const auto it = json.find("attn_type"); it != json.end() && !it->is_null()) {
        const std::string type = it->is_string() ? it->get<std::string>() : it->dump();
        if (type == "vanilla")
            config.attnType = AttnType::Vanilla;
        else if (type == "none")
            config.attnType = AttnType::None;
        else
            return configError("'attn_type' " + type +
                               " is not supported (use \"vanilla\" or \"none\"; no released "
                               "first stage uses linear attention)");
    }
    for (auto [key, supported, why] :
         {std::tuple<const char*, bool, const char*>{"use_linear_attn", false,
                                                     "linear attention is not supported"},
          {"resamp_with_conv", true, "resampling without convolution is not supported"},
          {"tanh_out", false, "a tanh output layer is not supported"},
          {"give_pre_end", false,
           "returning the decoder's pre-output features is not supported"}}) {
        if (auto r = rejectSwitch(json, key, supported, why); !r)
            return r.error();
    }
    if (auto r = config.validate(); !r)
        return r.error();
    return config;
}

} // namespace

Result<DDConfig> DDConfig::fromJson(const nlohmann::json& json)
{
    // dump() in the messages throws on invalid UTF-8; no exception may leave a factory.
    try {
        return parseDDConfig(json);
    } catch (const std::exception& e) {
        return configError(std::string("unreadable 'ddconfig': ") + e.what());
    }
}

nlohmann::json DDConfig::toJson() const
{
    return nlohmann::json{{"double_z", doubleZ},
                          {"z_channels", zChannels},
                          {"resolution", resolution},
                          {"in_channels", inChannels},
                          {"out_ch", outCh},
                          {"ch", ch},
                          {"ch_mult", chMult},
                          {"num_res_blocks", numResBlocks},
                          {"attn_resolutions", attnResolutions},
                          {"dropout", dropout},
                          {"attn_type", attnTypeName(attnType)}};
}

Result<void> AutoencoderConfig::validate() const
{
    if (auto r = ddconfig.validate(); !r)
        return r;
    if (embedDim <= 0)
        return configError("'embed_dim' must be positive, got " + std::to_string(embedDim));
    if (nEmbed < 0)
        return configError("'n_embed' must be positive for a VQ model (or absent for KL), got " +
                           std::to_string(nEmbed));
    // AutoencoderKL asserts double_z; VQModel's quant_conv expects z_channels inputs.
    if (!isVq() && !ddconfig.doubleZ)
        return configError("an AutoencoderKL (no 'n_embed') needs 'double_z': true");
    if (isVq() && ddconfig.doubleZ)
        return configError("a VQ model ('n_embed' " + std::to_string(nEmbed) +
                           ") needs 'double_z': false");
    return {};
}

namespace {

Result<AutoencoderConfig> parseAutoencoderConfig(const nlohmann::json& params)
{
    if (!params.is_object())
        return configError("expected an object with 'ddconfig' and 'embed_dim', got " +
                           params.dump());
    const auto dd = params.find("ddconfig");
    if (dd == params.end())
        return configError("missing required key 'ddconfig'");
    auto ddconfig = DDConfig::fromJson(*dd);
    if (!ddconfig)
        return ddconfig.error();

    AutoencoderConfig config;
    config.ddconfig = std::move(ddconfig).value();
    if (auto r = readInt(params, "embed_dim", true, config.embedDim); !r)
        return r.error();
    if (auto r = readInt(params, "n_embed", false, config.nEmbed); !r)
        return r.error();
    // taming's index remapping changes which codebook row an index names.
    if (const auto it = params.find("remap"); it != params.end() && !it->is_null())
        return configError("'remap' (codebook index remapping) is not supported");
    if (auto r = config.validate(); !r)
        return r.error();
    return config;
}

} // namespace

Result<AutoencoderConfig> AutoencoderConfig::fromJson(const nlohmann::json& params)
{
    try {
        return parseAutoencoderConfig(params);
    } catch (const std::exception& e) {
        return configError(std::string("unreadable config: ") + e.what());
    }
}

Result<AutoencoderConfig>
AutoencoderConfig::fromMetadata(const std::map<std::string, std::string>& meta)
{
    nlohmann::json params = nlohmann::json::object();
    for (const char* key : {"ddconfig", "embed_dim", "n_embed"}) {
        const auto it = meta.find(key);
        if (it == meta.end())
            continue;
        auto value = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
        if (value.is_discarded())
            return configError(std::string("metadata '") + key +
                               "' is not valid JSON: " + it->second);
        params[key] = std::move(value);
    }
    return fromJson(params);
}

nlohmann::json AutoencoderConfig::toJson() const
{
    nlohmann::json json{{"ddconfig", ddconfig.toJson()}, {"embed_dim", embedDim}};
    if (isVq())
        json["n_embed"] = nEmbed;
    return json;
}

} // namespace ldm
