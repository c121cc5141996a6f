// SPDX-License-Identifier: GPL-3.0-or-later
// The plan of a checkpoint load, made from the file's tensors and metadata without building a
// network: which config describes it and where that config came from, what was completed or
// guessed, and which UNet weights sample (the ordinary ones or the EMA copy) and why.
//
// Every consumer (the engine, `inspect`, `bench`, the trainers' evaluation, the parity runner)
// loads through LatentDiffusion, which builds from this plan; `inspect` prints it. So what
// `inspect` says is what generation does, and no second place decides any of it.
//
// Usage:
//     auto file = io::openCheckpointTensors(path);
//     auto plan = planLoad(file->tensors, file->metadata, options, path); // Result<LoadPlan>
//     std::printf("%s (%s)\n", plan->weights.useEma ? "EMA" : "raw", plan->weights.reason.c_str());
//     auto model = LatentDiffusion::fromPlan(*plan, file->tensors);
#pragma once

#include "checkpoint/ldm_config.h"
#include "core/state_dict.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace ldm {

/// How to load a checkpoint.
struct LoadOptions
{
    std::string configYaml; ///< CompVis config.yaml; empty: beside the file, metadata or detection
    /// Which UNet weights sample, overriding the plan's decision (`--weights ema|raw`): true =
    /// the `model_ema.*` copy (an error when the file has none), false = `model.diffusion_model.*`.
    /// Unset: decided by chooseSamplingWeights().
    std::optional<bool> preferEma;
    /// What the UNet predicts, "eps" or "v", overriding the config; empty: the config's, else
    /// the family's default (SD-2.x files: v, the 768-v model's; others: eps). The weights of a
    /// 768-v file and of the eps-predicting 512-base file cannot be told apart.
    std::string prediction;
    /// A CompVis config already in memory (the `model` section's `params`, as JSON), used when
    /// configYaml is empty; for configs that travel inside other files.
    nlohmann::json configParams;
    /// Attention heads of a CLIP / OpenCLIP text encoder when known from elsewhere (a model
    /// card, a fixture); 0: width / 64, the released models' convention.
    int64_t textHeads = 0;
};

/// Which UNet weights sample, and why (printed by `inspect`, recorded with each image).
struct WeightChoice
{
    bool useEma = false; ///< true: `model_ema.*`; false: `model.diffusion_model.*`
    bool hasEma = false; ///< the file has `model_ema.*` weights
    std::string reason;  ///< e.g. "config.yaml sets use_ema: False"
    /// "ema" or "raw", as `--weights` and the recipe spell it.
    const char* name() const { return useEma ? "ema" : "raw"; }
};

/// Everything decided before a network is built.
struct LoadPlan
{
    LdmConfig config;         ///< completed from the shapes, overrides applied
    std::string configPath;   ///< the config.yaml read, "" when none
    std::string configSource; ///< where the config came from, in words
    WeightChoice weights;
};

/// The CompVis config beside a checkpoint, "" when there is none: `<name>.yaml`; for a PyTorch
/// `.ckpt`/`.pt`/`.pth`, `config.yaml` in its folder (the CompVis release layout); for
/// `model.ckpt` / `model.safetensors`, `project.yaml` in its folder (the layout of the
/// super-resolution model as AUTOMATIC1111's LDSR keeps it); for `x4-upscaler*`,
/// `x4-upscaling.yaml` in its folder (the names Stability releases the SD x4 upscaler under).
std::string findConfigBeside(const std::string& checkpoint);

/// Which UNet weights sample, as the reference decides: the caller's override
/// (options.preferEma) first; without `model_ema.*` the ordinary weights; a config's
/// `use_ema: False` → ordinary; Stable Diffusion files (CLIP / OpenCLIP text encoder) without a
/// config → ordinary (their inference configs set use_ema False); an EMA copy that is still the
/// network's initialisation (all-zero output layer: it would predict nothing) → ordinary;
/// otherwise the EMA copy (LatentDiffusion samples inside ema_scope, use_ema defaults to True).
Result<WeightChoice> chooseSamplingWeights(const LdmConfig& config, const io::TensorMap& tensors,
                                           const std::optional<bool>& override);

/// Makes the plan. `path` (when given) lets a config beside the file be found when the options
/// name none; the options' prediction and text-head overrides are applied to the config.
Result<LoadPlan> planLoad(const io::TensorMap& tensors,
                          const std::map<std::string, std::string>& metadata,
                          const LoadOptions& options, const std::string& path = {});

} // namespace ldm
