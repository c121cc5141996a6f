// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A Recipe is everything needed to replay one result: which task and model, the prompt, the
// sampler settings, the seed and the hashes of any inputs. It is written into every saved PNG
// twice: as our own JSON (`toJson`, lossless) and as Automatic1111-style `parameters` text
// (`toA1111Parameters`), so other tools can read the settings too.
//
// Plain C++17 + nlohmann_json: no Qt, no LibTorch, so the engine, the CLI and the UI share it.
// All functions are pure and thread-safe.

#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ldm {

/// Version of the JSON layout written by toJson(); bumped on incompatible changes.
constexpr int RecipeJsonVersion = 1;

/// Everything needed to reproduce one generated image.
/// Largest CLIP skip a recipe may hold: SD-1.x's CLIP has 12 layers, SD-2.x's 24.
constexpr int MaxClipSkip = 24;

/// Pixels an outpaint adds on each side of its input image.
struct CanvasGrowth
{
    int left = 0;
    int right = 0;
    int top = 0;
    int bottom = 0;

    bool any() const { return left != 0 || right != 0 || top != 0 || bottom != 0; }
    bool operator==(const CanvasGrowth& o) const
    {
        return left == o.left && right == o.right && top == o.top && bottom == o.bottom;
    }
};

/// The ControlNet that steered a result (A1111's "ControlNet 0" entry). A request sets the
/// settings; the engine fills in the file's name and hashes.
struct ControlRecipe
{
    std::string model;      ///< ControlNet file name without folder; empty = none
    std::string hash;       ///< first 10 hex digits of its sha256
    std::string hintHash;   ///< sha256 (short) of the hint image as given
    double strength = 1.0;  ///< multiplies its residuals, 0..2 (A1111 "Weight")
    double start = 0.0;     ///< fraction of the steps where it starts acting (A1111 "Guidance Start")
    double end = 1.0;       ///< fraction of the steps after which it stops (A1111 "Guidance End")
    /// Guess mode: soft per-level scales and only the conditional half of guidance (A1111
    /// "Control Mode: ControlNet is more important").
    bool guessMode = false;

    bool enabled() const { return !model.empty(); }
    bool operator==(const ControlRecipe& other) const;
};

struct Recipe
{
    /// "txt2img" | "paint" | "upscale" | "img2img" | "inpaint" | "outpaint"
    std::string task = "txt2img";
    std::string modelName;          ///< checkpoint file name without folder
    std::string modelHash;          ///< first 10 hex digits of the checkpoint's sha256
    std::string prompt;             ///< may span several lines
    std::string negativePrompt;     ///< empty when none
    std::string sampler = "ddim";   ///< "ddim" | "plms" | "ddpm" | "dpmpp2m", or foreign text
    int steps = 50;                 ///< denoising steps
    double guidanceScale = 7.5;     ///< classifier-free guidance; 1.0 disables it
    double eta = 0.0;               ///< DDIM eta; 0 is deterministic
    /// SD x4 upscaler: noise added to the low-res input (0 .. the model's max_noise_level);
    /// -1: the model's default (upscale recipes from the engine always hold the level used).
    int noiseLevel = -1;
    std::uint64_t seed = 0;         ///< seed of the noise generator `rng`
    /// Noise generator: "ours" (the default), "cpu" (torch.randn on a CPU generator: A1111's
    /// "CPU", ComfyUI) or "nv" (A1111's Philox "NV" = its default GPU noise).
    std::string rng = "ours";
    /// A1111 "ENSD" (eta noise seed delta): with "cpu"/"nv", noise after x_T uses seed + this.
    std::uint64_t etaNoiseSeedDelta = 0;
    /// A1111 "Variation seed": x_T is slerped from the seed's noise toward this seed's noise
    /// by `variationStrength` (0 = off, 1 = the variation seed's noise), as A1111's ImageRNG
    /// does; the noise after x_T stays the seed's.
    std::uint64_t variationSeed = 0;
    double variationStrength = 0.0; ///< A1111 "Variation seed strength", 0..1
    /// k-diffusion samplers' σ schedule (A1111 "Schedule type"): "automatic" (the sampler's
    /// default), "uniform", "karras", "exponential", "sgm_uniform", "polyexponential",
    /// "kl_optimal", "align_your_steps", "simple", "normal" or "beta" (A1111's names).
    std::string schedule = "automatic";
    int width = 512;                ///< output width in pixels
    int height = 512;               ///< output height in pixels
    std::string precision = "fp32"; ///< "fp32" | "bf16" | "fp16"
    int clipSkip = 1;               ///< CLIP text layer from the end (A1111 "Clip skip"); CLIP only
    std::string prediction = "eps"; ///< what the model predicted: "eps" or "v" (filled by the engine)
    std::string weights;            ///< UNet weights that sampled: "ema", "raw"; "" = unknown (engine fills)
    std::string mapHash;            ///< sha256 (short) of the label map; paint only
    std::string inputImageHash;     ///< sha256 (short) of the input image; edits and upscale
    std::string maskHash;           ///< sha256 (short) of the mask; inpaint only
    double strength = 0.75;         ///< img2img: how much of the input is re-noised (0 = kept, 1 = all)
    int tileSize = 0;               ///< upscale tile edge in input pixels; 0 = untiled
    ControlRecipe control;          ///< txt2img, paint: the ControlNet, when one steered it
    CanvasGrowth growth;            ///< outpaint: pixels added per side (as run, after rounding)
    /// A1111 "Lora hashes" of the LoRAs the prompt's `<lora:...>` tags merged: "name: <first 12
    /// hex digits of the sha256 of the file after its header>, ..." (filled by the engine).
    std::string loraHashes;
    /// A1111 "TI hashes" of the textual-inversion embeddings the prompts named: "name: <first
    /// 12 hex digits of the file's sha256>, ...", the prompt's then the negative prompt's
    /// (filled by the engine).
    std::string tiHashes;
    std::string engineVersion;      ///< e.g. "latent-canvas 0.1.0"
    std::string createdAt;          ///< ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"

    bool operator==(const Recipe& other) const;
    bool operator!=(const Recipe& other) const { return !(*this == other); }
};

/// The sampler settings a model's own release samples with, for requests that leave them to
/// the model: the CompVis super-resolution and semantic-synthesis releases run DDIM with 100
/// steps, eta 1 and no guidance (their notebook, A1111's LDSR); they have no unconditional
/// input to guide against.
struct SamplingDefaults {
    std::string sampler;        ///< "" when the release's settings are not known
    int steps = 0;
    double eta = 0.0;
    double guidanceScale = 1.0;
    bool known() const { return !sampler.empty(); }
};

/// The sampler settings a request that leaves them to the model samples with: one source for
/// the app's and the CLI's defaults. `release` (ModelInfo::releaseDefaults) wins when known;
/// an upscale with a noise-augmented upscaler (the SD x4 upscaler) runs as its reference
/// script (DDIM, 75 steps, eta 0, guidance 10); any other upscale runs unguided; everything
/// else runs DPM-Solver++ 2M, 25 steps, guidance 5.
SamplingDefaults defaultSampling(const std::string& task, const SamplingDefaults& release = {},
                                 bool noiseAugmentedUpscaler = false);

/// True for the tasks we know ("txt2img", "paint", "upscale", "img2img", "inpaint",
/// "outpaint").
bool isKnownTask(const std::string& task);

/// True for the sampler ids our engine implements ("ddim", "plms", "ddpm", "dpmpp2m", and the
/// k-diffusion ones "euler", "euler_a", "heun", "lms", "dpm2", "dpm2_a", "dpmpp_2s_a",
/// "dpmpp_2m", "dpmpp_sde", "dpmpp_2m_sde", "dpmpp_3m_sde").
bool isKnownSampler(const std::string& sampler);

/// Every sampler id, in the order a list shows them.
std::vector<std::string> knownSamplerIds();

/// True for the k-diffusion sampler ids (those that take a `schedule`).
bool isKDiffusionSamplerId(const std::string& sampler);

/// True for the samplers that read Recipe::eta (DDIM only: PLMS, DDPM and our DPM-Solver++
/// have no eta, and the ancestral k-diffusion samplers run with A1111's fixed eta of 1). The
/// app offers eta and recipes record it only for these.
bool samplerReadsEta(const std::string& sampler);

/// Our sampler id for a sampler name written by A1111 or another tool: its label ("Euler a"),
/// alias ("k_euler_a"), k-diffusion function ("sample_euler_ancestral") or our id, any case.
/// A1111's older names with the schedule appended ("DPM++ 2M Karras") give the sampler; see
/// scheduleFromSamplerName(). Names without an equivalent come back unchanged so no
/// information is lost.
std::string samplerFromDisplayName(const std::string& name);

/// The schedule an older A1111 sampler name carries ("DPM++ 2M Karras" -> "karras"), or "".
std::string scheduleFromSamplerName(const std::string& name);

/// The name A1111 shows for one of our sampler ids ("dpmpp_2m" -> "DPM++ 2M"; our discrete
/// "dpmpp2m" -> "DPM-Solver++ 2M (DDIM grid)"); unknown ids come back unchanged.
std::string samplerDisplayName(const std::string& sampler);

/// Our schedule name for A1111's "Schedule type" label ("SGM Uniform" -> "sgm_uniform"), any
/// case or spelling; "" for an unknown one.
std::string scheduleFromLabel(const std::string& label);
/// A1111's label for our schedule name ("karras" -> "Karras"); unknown names unchanged.
std::string scheduleLabel(const std::string& schedule);
/// The schedule "automatic" stands for with this k-diffusion sampler in A1111 ("dpmpp_2m" ->
/// "karras", "euler" -> "uniform"); "" for other samplers.
std::string automaticSchedule(const std::string& sampler);

/// Lossless JSON form (with "version": RecipeJsonVersion).
nlohmann::json toJson(const Recipe& recipe);

/// Parses toJson() output. Missing optional fields take their defaults; wrong types, unknown
/// tasks or impossible sizes give ErrorCode::InvalidFile. Never throws.
Result<Recipe> recipeFromJson(const nlohmann::json& json);

/// Same as recipeFromJson() but from text; malformed JSON gives ErrorCode::InvalidFile.
Result<Recipe> recipeFromJsonText(const std::string& text);

/// A1111 `parameters` text: prompt, optional "Negative prompt: ..." line, then one line of
/// "Key: value" pairs (Steps, Sampler, CFG scale, Seed, Size, Model hash, Model, plus ours).
std::string toA1111Parameters(const Recipe& recipe);

/// Parses A1111 `parameters` text, ours or written by A1111 itself: multi-line prompts, quoted
/// values containing commas, unknown keys ignored. Fails (InvalidFile) only when no settings
/// line is present at all. Never throws.
Result<Recipe> recipeFromA1111Parameters(const std::string& text);

} // namespace ldm
