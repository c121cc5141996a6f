// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/config_completion.h"

#include <nlohmann/json.hpp>

namespace ldm {
namespace {

using nlohmann::json;

/// Keys of `base` that `given` lacks are copied in (recursively for objects); `given` wins.
void fillMissing(json& given, const json& base, const std::string& path,
                 std::vector<std::string>& filled)
{
    for (const auto& [key, value] : base.items()) {
        if (!given.contains(key) || given[key].is_null()) {
            given[key] = value;
            filled.push_back(path + key + " (from the tensor shapes)");
        } else if (given[key].is_object() && value.is_object()) {
            fillMissing(given[key], value, path + key + ".", filled);
        }
    }
}

json parsed(const std::map<std::string, std::string>& metadata, const std::string& key)
{
    auto it = metadata.find(key);
    if (it == metadata.end())
        return json();
    json value = json::parse(it->second, nullptr, false);
    return value.is_discarded() ? json() : value;
}

void completeFirstStage(std::map<std::string, std::string>& out, const ShapeMap& shapes,
                        std::vector<std::string>& filled)
{
    json ddconfig = parsed(out, "ddconfig");
    if (!ddconfig.is_object())
        return;
    const std::string prefix = hasPrefix(shapes, "first_stage_model.") ? "first_stage_model."
                                                                        : "";
    auto detected = detectFirstStageConfig(shapes, prefix);
    if (!detected)
        return;
    const json base = detected->toJson();
    fillMissing(ddconfig, base["ddconfig"], "ddconfig.", filled);
    out["ddconfig"] = ddconfig.dump();
    for (const char* key : {"embed_dim", "n_embed"})
        if (!out.count(key) && base.contains(key)) {
            out[key] = base[key].dump();
            filled.push_back(std::string(key) + " (from the tensor shapes)");
        }
}

void completeUNet(std::map<std::string, std::string>& out, const ShapeMap& shapes,
                  std::vector<std::string>& filled)
{
    std::string key = "unet";
    json unet = parsed(out, key);
    if (!unet.is_object()) {
        key = "config";
        unet = parsed(out, key);
        if (!unet.is_object() || !unet.contains("model_channels"))
            return;
    }
    const std::string prefix = hasPrefix(shapes, "model.diffusion_model.")
                                   ? "model.diffusion_model."
                                   : "";
    std::vector<std::string> guesses;
    auto detected = detectUNetConfig(shapes, prefix, guesses);
    if (!detected)
        return;
    // Only what the shapes determine: keys such as `legacy` or the head counts keep the
    // CompVis defaults that UNetConfig::fromJson applies when the file omits them.
    const json all = detected->toJson();
    json base = json::object();
    for (const char* shapeKey :
         {"in_channels", "out_channels", "model_channels", "num_res_blocks",
          "attention_resolutions", "channel_mult", "use_spatial_transformer",
          "transformer_depth", "context_dim", "num_classes", "use_scale_shift_norm",
          "resblock_updown", "disable_self_attentions", "disable_middle_self_attn"})
        if (all.contains(shapeKey) && !all[shapeKey].is_null())
            base[shapeKey] = all[shapeKey];
    fillMissing(unet, base, "", filled);
    out[key] = unet.dump();
}

} // namespace

std::map<std::string, std::string>
completeMetadataFromShapes(const std::map<std::string, std::string>& metadata,
                           const ShapeMap& shapes, std::vector<std::string>& filled)
{
    std::map<std::string, std::string> out = metadata;
    completeFirstStage(out, shapes, filled);
    completeUNet(out, shapes, filled);
    return out;
}

} // namespace ldm
