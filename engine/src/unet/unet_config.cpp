// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/unet_config.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

namespace ldm {
namespace {

using Json = nlohmann::json;

Error configError(const std::string& message)
{
    return makeError(ErrorCode::InvalidRequest, "UNet config: " + message);
}

// Integers arrive as JSON integers, but YAML converters sometimes write 2.0; accept integral
// floats so a config that the reference (Python) accepts is accepted here too.
std::optional<int64_t> asInt(const Json& value)
{
    if (value.is_number_integer())
        return value.get<int64_t>();
    if (value.is_number_float()) {
        const double v = value.get<double>();
        if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 9e15)
            return static_cast<int64_t>(v);
    }
    return std::nullopt;
}

Result<int64_t> readInt(const Json& json, const char* key)
{
    const auto v = asInt(json.at(key));
    if (!v)
        return configError(std::string(key) + " must be an integer, got " + json.at(key).dump());
    return *v;
}

Result<bool> readBool(const Json& json, const char* key)
{
    const Json& value = json.at(key);
    if (value.is_boolean())
        return value.get<bool>();
    const auto v = asInt(value);
    if (v && (*v == 0 || *v == 1))
        return *v == 1;
    return configError(std::string(key) + " must be true or false, got " + value.dump());
}

Result<std::vector<int64_t>> readIntList(const Json& json, const char* key)
{
    const Json& value = json.at(key);
    std::vector<int64_t> out;
    if (!value.is_array())
        return configError(std::string(key) + " must be a list of integers, got " + value.dump());
    for (const Json& item : value) {
        const auto v = asInt(item);
        if (!v)
            return configError(std::string(key) + " must be a list of integers, got " +
                               value.dump());
        out.push_back(*v);
    }
    return out;
}

Result<std::vector<bool>> readBoolList(const Json& json, const char* key)
{
    const Json& value = json.at(key);
    if (value.is_null())
        return std::vector<bool>{};
    if (!value.is_array())
        return configError(std::string(key) + " must be a list of true/false, got " +
                           value.dump());
    std::vector<bool> out;
    for (const Json& item : value) {
        if (!item.is_boolean())
            return configError(std::string(key) + " must be a list of true/false, got " +
                               value.dump());
        out.push_back(item.get<bool>());
    }
    return out;
}

// Reads `key` into `field` when present; returns false (with `error` set) on a bad value.
template <typename T, typename Reader>
bool readOptional(const Json& json, const char* key, T& field, Reader reader, Error& error)
{
    if (!json.contains(key))
        return true;
    auto value = reader(json, key);
    if (!value.ok()) {
        error = value.error();
        return false;
    }
    field = std::move(value.value());
    return true;
}

// Nullable integer keys (`context_dim`, `num_classes`): null means "not set".
bool readNullableInt(const Json& json, const char* key, std::optional<int64_t>& field, Error& error)
{
    if (!json.contains(key) || json.at(key).is_null()) {
        field.reset();
        return true;
    }
    auto value = readInt(json, key);
    if (!value.ok()) {
        error = value.error();
        return false;
    }
    field = value.value();
    return true;
}

const std::set<std::string>& knownKeys()
{
    static const std::set<std::string> keys{"image_size",
                                            "in_channels",
                                            "out_channels",
                                            "model_channels",
                                            "attention_resolutions",
                                            "num_res_blocks",
                                            "channel_mult",
                                            "num_heads",
                                            "num_head_channels",
                                            "num_heads_upsample",
                                            "use_spatial_transformer",
                                            "transformer_depth",
                                            "use_linear_in_transformer",
                                            "context_dim",
                                            "legacy",
                                            "use_scale_shift_norm",
                                            "resblock_updown",
                                            "use_new_attention_order",
                                            "num_classes",
                                            "dropout",
                                            "conv_resample",
                                            "dims",
                                            "use_checkpoint",
                                            "use_fp16",
                                            "n_embed",
                                            "disable_self_attentions",
                                            "disable_middle_self_attn"};
    return keys;
}

} // namespace

bool UNetConfig::hasAttentionAt(int64_t ds) const
{
    return std::find(attentionResolutions.begin(), attentionResolutions.end(), ds) !=
           attentionResolutions.end();
}

Result<AttentionHeads> UNetConfig::attentionHeads(int64_t channels, bool decoder) const
{
    // Mirrors the reference: `num_head_channels` wins; otherwise `num_heads`. With `legacy`,
    // AttentionBlock receives num_head_channels unchanged (so -1 means "use num_heads", and
    // decoder blocks then use num_heads_upsample); without it, AttentionBlock receives
    // ch // num_heads and recomputes heads from that. SpatialTransformer gets (heads, ch //
    // heads) either way; Python's floor division is kept, so inner width may be below ch.
    const std::string where = std::to_string(channels) + " channels";
    int64_t heads = numHeads;
    int64_t headDim = 0;
    if (numHeadChannels == -1) {
        if (numHeads < 1)
            return configError("num_heads or num_head_channels must be set");
        headDim = channels / numHeads;
    } else {
        heads = channels / numHeadChannels;
        headDim = numHeadChannels;
    }
    if (useSpatialTransformer) {
        if (heads < 1)
            return configError("num_head_channels " + std::to_string(numHeadChannels) +
                               " exceeds " + where);
        if (legacy)
            headDim = channels / heads;
        if (headDim < 1)
            return configError("num_heads " + std::to_string(heads) + " exceeds " + where);
        return AttentionHeads{heads, headDim};
    }
    // AttentionBlock(num_heads = decoder ? num_heads_upsample : heads, num_head_channels = arg)
    const int64_t headChannelsArg = legacy ? numHeadChannels : headDim;
    int64_t blockHeads = decoder ? (numHeadsUpsample == -1 ? numHeads : numHeadsUpsample) : heads;
    if (headChannelsArg != -1) {
        if (headChannelsArg < 1 || channels % headChannelsArg != 0)
            return configError("attention head width " + std::to_string(headChannelsArg) +
                               " does not divide " + where);
        blockHeads = channels / headChannelsArg;
    }
    if (blockHeads < 1 || channels % blockHeads != 0)
        return configError(std::to_string(blockHeads) + " attention heads do not divide " + where);
    return AttentionHeads{blockHeads, channels / blockHeads};
}

Result<void> UNetConfig::validate() const
{
    if (dims != 2)
        return configError("dims " + std::to_string(dims) + " is not supported (only 2)");
    if (inChannels < 1 || outChannels < 1)
        return configError("in_channels and out_channels must be positive");
    if (modelChannels < 1)
        return configError("model_channels must be positive");
    if (numResBlocks < 0)
        return configError("num_res_blocks must not be negative");
    if (channelMult.empty())
        return configError("channel_mult must not be empty");
    for (int64_t m : channelMult) {
        if (m < 1)
            return configError("channel_mult entries must be positive");
        // Every normalisation is GroupNorm with 32 groups.
        if ((m * modelChannels) % 32 != 0)
            return configError(
                "model_channels x channel_mult = " + std::to_string(m * modelChannels) +
                " is not a multiple of 32 (GroupNorm uses 32 groups)");
    }
    // The output head is GN(ch) + Conv(model_channels -> out): it only fits when the last
    // decoder level is model_channels wide.
    if (channelMult.front() != 1)
        return configError("channel_mult[0] must be 1 (the output conv reads model_channels)");
    for (int64_t r : attentionResolutions)
        if (r < 1)
            return configError("attention_resolutions entries are downsampling factors >= 1");
    if (numHeads == -1 && numHeadChannels == -1)
        return configError("either num_heads or num_head_channels must be set");
    if (numHeads == 0 || numHeads < -1 || numHeadChannels == 0 || numHeadChannels < -1 ||
        numHeadsUpsample == 0 || numHeadsUpsample < -1)
        return configError("num_heads, num_head_channels, num_heads_upsample must be -1 or >= 1");
    if (useSpatialTransformer) {
        if (!contextDim)
            return configError("use_spatial_transformer needs context_dim");
        if (transformerDepth < 1)
            return configError("transformer_depth must be >= 1");
    }
    if (contextDim && !useSpatialTransformer)
        return configError("context_dim is set but use_spatial_transformer is false");
    if (contextDim && *contextDim < 1)
        return configError("context_dim must be positive");
    if (numClasses && *numClasses < 1)
        return configError("num_classes must be positive");
    if (!disableSelfAttentions.empty() && disableSelfAttentions.size() != channelMult.size())
        return configError("disable_self_attentions has " +
                           std::to_string(disableSelfAttentions.size()) +
                           " entries but channel_mult has " + std::to_string(channelMult.size()) +
                           " levels");
    const bool anyDisabled =
        disableMiddleSelfAttn || std::find(disableSelfAttentions.begin(),
                                           disableSelfAttentions.end(),
                                           true) != disableSelfAttentions.end();
    if (anyDisabled && !useSpatialTransformer)
        return configError("disable_self_attentions needs use_spatial_transformer (the first "
                           "attention then reads the context)");

    // Walk the layout once and check every attention layer's head split.
    const auto check = [&](int64_t ch, bool decoder) -> Result<void> {
        auto heads = attentionHeads(ch, decoder);
        if (!heads.ok())
            return heads.error();
        return {};
    };
    int64_t ds = 1;
    for (size_t level = 0; level < channelMult.size(); ++level) {
        const int64_t ch = channelMult[level] * modelChannels;
        if (hasAttentionAt(ds)) {
            if (numResBlocks > 0)
                if (auto r = check(ch, false); !r.ok())
                    return r;
            if (auto r = check(ch, true); !r.ok())
                return r;
        }
        if (level + 1 < channelMult.size())
            ds *= 2;
    }
    return check(channelMult.back() * modelChannels, false);
}

namespace {

Result<UNetConfig> parseConfig(const nlohmann::json& json)
{
    if (!json.is_object())
        return configError("expected a JSON object of UNetModel parameters");
    std::vector<std::string> unknown;
    for (const auto& item : json.items())
        if (knownKeys().count(item.key()) == 0)
            unknown.push_back(item.key());
    if (!unknown.empty()) {
        std::string list;
        for (const auto& key : unknown)
            list += (list.empty() ? "" : ", ") + key;
        return configError("unknown parameter(s) " + list +
                           " (CompVis latent-diffusion UNetModel does not take them)");
    }
    for (const char* key : {"in_channels", "out_channels", "model_channels", "num_res_blocks",
                            "attention_resolutions"})
        if (!json.contains(key))
            return configError(std::string("missing required parameter ") + key);
    if (json.contains("n_embed") && !json.at("n_embed").is_null())
        return configError("n_embed (codebook id predictor) is not supported");

    UNetConfig c;
    Error error;
    const bool ok =
        readOptional(json, "image_size", c.imageSize, readInt, error) &&
        readOptional(json, "in_channels", c.inChannels, readInt, error) &&
        readOptional(json, "out_channels", c.outChannels, readInt, error) &&
        readOptional(json, "model_channels", c.modelChannels, readInt, error) &&
        readOptional(json, "attention_resolutions", c.attentionResolutions, readIntList, error) &&
        readOptional(json, "num_res_blocks", c.numResBlocks, readInt, error) &&
        readOptional(json, "channel_mult", c.channelMult, readIntList, error) &&
        readOptional(json, "num_heads", c.numHeads, readInt, error) &&
        readOptional(json, "num_head_channels", c.numHeadChannels, readInt, error) &&
        readOptional(json, "num_heads_upsample", c.numHeadsUpsample, readInt, error) &&
        readOptional(json, "use_spatial_transformer", c.useSpatialTransformer, readBool, error) &&
        readOptional(json, "transformer_depth", c.transformerDepth, readInt, error) &&
        readOptional(json, "use_linear_in_transformer", c.useLinearInTransformer, readBool,
                     error) &&
        readNullableInt(json, "context_dim", c.contextDim, error) &&
        readOptional(json, "legacy", c.legacy, readBool, error) &&
        readOptional(json, "use_scale_shift_norm", c.useScaleShiftNorm, readBool, error) &&
        readOptional(json, "resblock_updown", c.resblockUpdown, readBool, error) &&
        readOptional(json, "use_new_attention_order", c.useNewAttentionOrder, readBool, error) &&
        readNullableInt(json, "num_classes", c.numClasses, error) &&
        readOptional(json, "disable_self_attentions", c.disableSelfAttentions, readBoolList,
                     error) &&
        readOptional(json, "disable_middle_self_attn", c.disableMiddleSelfAttn, readBool,
                     error) &&
        readOptional(json, "conv_resample", c.convResample, readBool, error) &&
        readOptional(json, "dims", c.dims, readInt, error) &&
        readOptional(json, "use_checkpoint", c.useCheckpoint, readBool, error) &&
        readOptional(json, "use_fp16", c.useFp16, readBool, error);
    if (!ok)
        return error;
    if (json.contains("dropout")) {
        if (!json.at("dropout").is_number())
            return configError("dropout must be a number");
        c.dropout = json.at("dropout").get<double>();
    }
    if (auto valid = c.validate(); !valid.ok())
        return valid.error();
    return c;
}

} // namespace

Result<UNetConfig> UNetConfig::fromJson(const nlohmann::json& json)
{
    try {
        return parseConfig(json);
    } catch (const std::exception& e) {
        return configError(std::string("unreadable parameters: ") + e.what());
    }
}

nlohmann::json UNetConfig::toJson() const
{
    Json j;
    j["image_size"] = imageSize;
    j["in_channels"] = inChannels;
    j["out_channels"] = outChannels;
    j["model_channels"] = modelChannels;
    j["attention_resolutions"] = attentionResolutions;
    j["num_res_blocks"] = numResBlocks;
    j["channel_mult"] = channelMult;
    j["num_heads"] = numHeads;
    j["num_head_channels"] = numHeadChannels;
    j["num_heads_upsample"] = numHeadsUpsample;
    j["use_spatial_transformer"] = useSpatialTransformer;
    j["transformer_depth"] = transformerDepth;
    j["use_linear_in_transformer"] = useLinearInTransformer;
    j["context_dim"] = contextDim ? Json(*contextDim) : Json(nullptr);
    j["legacy"] = legacy;
    j["use_scale_shift_norm"] = useScaleShiftNorm;
    j["resblock_updown"] = resblockUpdown;
    j["use_new_attention_order"] = useNewAttentionOrder;
    j["num_classes"] = numClasses ? Json(*numClasses) : Json(nullptr);
    j["dropout"] = dropout;
    j["conv_resample"] = convResample;
    j["dims"] = dims;
    j["use_checkpoint"] = useCheckpoint;
    j["use_fp16"] = useFp16;
    // Written only when used, so configs of models without them stay as they were.
    if (!disableSelfAttentions.empty())
        j["disable_self_attentions"] = disableSelfAttentions;
    if (disableMiddleSelfAttn)
        j["disable_middle_self_attn"] = true;
    return j;
}

} // namespace ldm
