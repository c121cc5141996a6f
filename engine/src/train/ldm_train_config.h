// SPDX-License-Identifier: GPL-3.0-or-later
// Configuration of a latent diffusion training run, read from a YAML file such as
// resources/train/landscape_ldm.yaml (the keys are named beside each field).
#pragma once

#include "checkpoint/ldm_config.h"
#include "ldm/result.h"
#include "train/config_section.h"
#include "train/ae_train_config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ldm::train {

/// What the UNet gets concatenated to its latent input (`model.concat`).
enum class ConcatSource {
    None,   ///< `none`
    Map,    ///< `map`: one-hot class map through the SpatialRescaler (semantic synthesis)
    LowRes, ///< `lowres`: the degraded low-res image in [−1, 1] at latent size (4x SR, f = 4)
};

/// `model:` the networks. `unet` and `text` hold CompVis kwargs; the trainer fills in
/// in_channels, out_channels and context_dim from the first stage and the conditioning.
struct LdmModelSection
{
    std::string name = "landscape"; ///< `name`: display name written into the checkpoint
    std::string firstStage;         ///< `first_stage`: frozen standalone AE safetensors
    ConditioningKey conditioning = ConditioningKey::Hybrid;  ///< `conditioning`
    ConcatSource concat = ConcatSource::Map;                 ///< `concat`
    ScheduleConfig schedule{0.0015, 0.0155, 1000, "linear"}; ///< `schedule`
    double scaleFactor = 0;   ///< `scale_factor`: 0 / "auto" = 1 / std of latents
    int64_t scaleBatches = 4; ///< `scale_batches`: batches measured for "auto"
    nlohmann::json unet;      ///< `unet`: UNetModel kwargs
    nlohmann::json text;      ///< `text`: BERTEmbedder kwargs (vocab_size from tokenizer)
    std::string palette = "resources/palettes/landscape.json"; ///< `palette` (map models)
    int64_t rescalerStages = 2; ///< `map_stages`: x0.5 bilinear stages, image -> latent
};

/// `tokenizer:` the sentencepiece model trained at the start of a text-conditioned run.
struct LdmTokenizerSection
{
    int64_t vocabSize = 3000;  ///< `vocab_size`
    int64_t captions = 20000;  ///< `captions`: generator captions in the corpus
    int64_t captionRepeat = 3; ///< `caption_repeat`: times each caption line is repeated
    /// `word_lists`: WordNet folders or plain word-list files; missing ones are skipped.
    std::vector<std::string> wordLists{"/usr/share/wordnet", "/usr/share/dict/words"};
    int64_t maxGlosses = 60000; ///< `max_glosses`: lines taken from the word lists
};

/// `data:` where images come from.
struct LdmDataSection
{
    int64_t imageSize = 128;     ///< `image_size`: side of the training images (px)
    AeDataConfig photos;         ///< `photos`, `landscape_share`, ... (superres runs only)
    double blurMax = 0.8;        ///< `blur_max`: max Gaussian sigma (HR px) before downsampling
    double noiseMax = 0.02;      ///< `noise_max`: max Gaussian noise std on the LR image ([0,1])
    double jpegChance = 0.5;     ///< `jpeg_chance`: share of LR images JPEG-compressed
    int64_t jpegQualityMin = 60; ///< `jpeg_quality_min` (uniform up to 95)
};

/// `dropout:` condition dropout for classifier-free guidance, per sample and independent.
struct LdmDropoutSection
{
    double text = 0.1;       ///< `text`: the prompt becomes "" (the unconditional tokens)
    double map = 0.1;        ///< `map`: the one-hot map becomes all zeros ("unknown")
    double mapPartial = 0.1; ///< `map_partial`: a random rectangle of the map becomes unknown
};

/// `optimizer:` the shared section with the LDM defaults.
struct LdmOptimSection : OptimizerSection
{
};

/// `training:` the loop.
struct LdmLoopSection : LoopSection
{
    int64_t sampleSteps = 25;      ///< `sample_steps`: DDIM steps of the sample grid
    double sampleGuidance = 3.0;   ///< `sample_guidance`: CFG scale of the grid
    int64_t sampleColumns = 6;     ///< `sample_columns`
};

/// A whole run.
struct LdmTrainConfig
{
    LdmModelSection model;
    LdmTokenizerSection tokenizer;
    LdmDataSection data;
    LdmDropoutSection dropout;
    LdmOptimSection optim;
    LdmLoopSection loop;
    nlohmann::json source; ///< the config as read, stored in the run folder

    bool usesText() const
    {
        return model.conditioning == ConditioningKey::CrossAttn ||
               model.conditioning == ConditioningKey::Hybrid;
    }
    bool usesMap() const { return model.concat == ConcatSource::Map; }
    bool isSuperRes() const { return model.concat == ConcatSource::LowRes; }

    /// Reads and checks a config; errors name the key. Unknown keys are rejected.
    static Result<LdmTrainConfig> fromJson(const nlohmann::json& json);
    /// readYamlAsJson + fromJson.
    static Result<LdmTrainConfig> fromYamlFile(const std::string& path);
};

} // namespace ldm::train
