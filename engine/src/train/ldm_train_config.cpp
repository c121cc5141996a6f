// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ldm_train_config.h"

#include "train/config_section.h"

namespace ldm::train {
namespace {

using nlohmann::json;

std::string readModel(const json& root, LdmModelSection& m)
{
    ConfigSection s(sectionOf(root, "model"), "model");
    s.read("name", m.name);
    s.read("first_stage", m.firstStage);
    std::string conditioning = conditioningKeyName(m.conditioning);
    s.read("conditioning", conditioning);
    auto key = parseConditioningKey(conditioning);
    s.require(key.ok() && (key.value() == ConditioningKey::CrossAttn ||
                           key.value() == ConditioningKey::Concat ||
                           key.value() == ConditioningKey::Hybrid),
              "conditioning", "crossattn, concat or hybrid");
    if (key)
        m.conditioning = key.value();
    std::string concat = "map";
    s.read("concat", concat);
    s.require(concat == "map" || concat == "lowres" || concat == "none", "concat",
              "map, lowres or none");
    m.concat = concat == "map"      ? ConcatSource::Map
               : concat == "lowres" ? ConcatSource::LowRes
                                    : ConcatSource::None;
    const bool wantsConcat = m.conditioning != ConditioningKey::CrossAttn;
    s.require(wantsConcat == (m.concat != ConcatSource::None), "concat",
              "none exactly when conditioning is crossattn");
    const json& schedule = s.raw("schedule");
    if (schedule.is_object()) {
        ConfigSection sc(schedule, "model.schedule");
        sc.read("linear_start", m.schedule.linearStart);
        sc.read("linear_end", m.schedule.linearEnd);
        sc.read("timesteps", m.schedule.timesteps);
        sc.read("beta_schedule", m.schedule.betaSchedule);
        sc.require(m.schedule.linearStart > 0 && m.schedule.linearStart < m.schedule.linearEnd &&
                       m.schedule.linearEnd < 1,
                   "linear_start", "in (0, linear_end) with linear_end < 1");
        sc.require(m.schedule.timesteps >= 10 && m.schedule.timesteps <= 10000, "timesteps",
                   "in [10, 10000]");
        sc.require(m.schedule.betaSchedule == "linear", "beta_schedule", "linear");
        if (auto error = sc.finish(); !error.empty())
            return error;
    }
    const json& scale = s.raw("scale_factor");
    if (scale.is_number())
        m.scaleFactor = scale.get<double>();
    s.require(scale.is_null() || (scale.is_string() && scale == "auto") ||
                  (scale.is_number() && m.scaleFactor > 0),
              "scale_factor", "\"auto\" or a positive number");
    s.read("scale_batches", m.scaleBatches);
    s.require(m.scaleBatches >= 1 && m.scaleBatches <= 64, "scale_batches", "in [1, 64]");
    m.unet = s.raw("unet");
    s.require(m.unet.is_object(), "unet", "a mapping of UNetModel kwargs");
    m.text = s.raw("text");
    s.require(m.text.is_null() || m.text.is_object(), "text", "a mapping of BERTEmbedder kwargs");
    s.read("palette", m.palette);
    s.read("map_stages", m.rescalerStages);
    s.require(m.rescalerStages >= 0 && m.rescalerStages <= 4, "map_stages", "in [0, 4]");
    return s.finish();
}

std::string readData(const json& root, LdmDataSection& d)
{
    ConfigSection s(sectionOf(root, "data"), "data");
    s.read("image_size", d.imageSize);
    s.require(d.imageSize >= 32 && d.imageSize <= 512 && d.imageSize % 32 == 0, "image_size",
              "a multiple of 32 in [32, 512]");
    AeDataConfig& p = d.photos;
    s.read("photos", p.photos);
    s.read("landscape_share", p.landscapeShare);
    s.read("photo_short_sides", p.photoShortSides);
    s.read("scale_jitter", p.scaleJitter);
    s.read("flip", p.flip);
    s.read("landscape_pool", p.landscapePool);
    s.read("landscape_size", p.landscapeSize);
    s.read("landscape_refresh_every", p.landscapeRefreshEvery);
    s.read("val_short_side", p.valShortSide);
    p.cropSize = d.imageSize;
    p.landscapeSize = std::max(p.landscapeSize, d.imageSize);
    s.require(p.landscapeShare >= 0 && p.landscapeShare <= 1, "landscape_share", "in [0, 1]");
    s.require(!p.photoShortSides.empty(), "photo_short_sides", "a non-empty list");
    for (int64_t side : p.photoShortSides)
        s.require(side >= d.imageSize && side <= 8192, "photo_short_sides",
                  "sides from image_size to 8192");
    s.require(p.scaleJitter >= 1 && p.scaleJitter <= 4, "scale_jitter", "in [1, 4]");
    s.require(p.landscapePool >= 1 && p.landscapePool <= 4096, "landscape_pool", "in [1, 4096]");
    s.require(p.landscapeRefreshEvery >= 0, "landscape_refresh_every", ">= 0");
    s.read("blur_max", d.blurMax);
    s.read("noise_max", d.noiseMax);
    s.read("jpeg_chance", d.jpegChance);
    s.read("jpeg_quality_min", d.jpegQualityMin);
    s.require(d.blurMax >= 0 && d.blurMax <= 4, "blur_max", "in [0, 4]");
    s.require(d.noiseMax >= 0 && d.noiseMax <= 0.5, "noise_max", "in [0, 0.5]");
    s.require(d.jpegChance >= 0 && d.jpegChance <= 1, "jpeg_chance", "in [0, 1]");
    s.require(d.jpegQualityMin >= 10 && d.jpegQualityMin <= 95, "jpeg_quality_min", "in [10, 95]");
    return s.finish();
}

std::string readLoop(const json& root, LdmLoopSection& l)
{
    ConfigSection s(sectionOf(root, "training"), "training");
    readLoopSection(s, l);
    s.read("sample_steps", l.sampleSteps);
    s.read("sample_guidance", l.sampleGuidance);
    s.read("sample_columns", l.sampleColumns);
    s.require(l.sampleSteps >= 1 && l.sampleSteps <= 1000, "sample_steps", "in [1, 1000]");
    s.require(l.sampleGuidance >= 0 && l.sampleGuidance <= 30, "sample_guidance", "in [0, 30]");
    s.require(l.sampleColumns >= 1 && l.sampleColumns <= 16, "sample_columns", "in [1, 16]");
    return s.finish();
}

} // namespace

Result<LdmTrainConfig> LdmTrainConfig::fromJson(const json& root)
{
    if (auto ok = checkConfigSections(
            root, {"model", "tokenizer", "data", "dropout", "optimizer", "training"},
            "model, tokenizer, data, dropout, optimizer and training");
        !ok)
        return ok.error();
    LdmTrainConfig config;
    config.source = root;
    if (auto error = readModel(root, config.model); !error.empty())
        return configError(error);
    if (config.usesText() && !config.model.text.is_object())
        return configError("'model.text' is required for crossattn and hybrid conditioning");

    LdmTokenizerSection& t = config.tokenizer;
    ConfigSection tok(sectionOf(root, "tokenizer"), "tokenizer");
    tok.read("vocab_size", t.vocabSize);
    tok.read("captions", t.captions);
    tok.read("caption_repeat", t.captionRepeat);
    tok.read("word_lists", t.wordLists);
    tok.read("max_glosses", t.maxGlosses);
    tok.require(t.vocabSize >= 64 && t.vocabSize <= 64000, "vocab_size", "in [64, 64000]");
    tok.require(t.captions >= 100 && t.captions <= 1000000, "captions", "in [100, 1000000]");
    tok.require(t.captionRepeat >= 1 && t.captionRepeat <= 100, "caption_repeat", "in [1, 100]");
    tok.require(t.maxGlosses >= 0, "max_glosses", ">= 0");
    if (auto error = tok.finish(); !error.empty())
        return configError(error);

    if (auto error = readData(root, config.data); !error.empty())
        return configError(error);
    ConfigSection drop(sectionOf(root, "dropout"), "dropout");
    drop.read("text", config.dropout.text);
    drop.read("map", config.dropout.map);
    drop.read("map_partial", config.dropout.mapPartial);
    drop.require(config.dropout.text >= 0 && config.dropout.text <= 1, "text", "in [0, 1]");
    drop.require(config.dropout.map >= 0 && config.dropout.map <= 1, "map", "in [0, 1]");
    drop.require(config.dropout.mapPartial >= 0 && config.dropout.mapPartial <= 1, "map_partial",
                 "in [0, 1]");
    if (auto error = drop.finish(); !error.empty())
        return configError(error);
    if (auto error = readOptimizerSection(sectionOf(root, "optimizer"), config.optim); !error.empty())
        return configError(error);
    if (auto error = readLoop(root, config.loop); !error.empty())
        return configError(error);
    return config;
}

Result<LdmTrainConfig> LdmTrainConfig::fromYamlFile(const std::string& path)
{
    return readConfigFile<LdmTrainConfig>(path);
}

} // namespace ldm::train
