// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm/recipe.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace ldm {

namespace {

constexpr std::array<const char*, 6> KnownTasks = {"txt2img", "paint",   "upscale",
                                                   "img2img", "inpaint", "outpaint"};
constexpr int MaxSide = 16384;
constexpr int MaxSteps = 10000;
/// Both upscalers we run are 4x: an old recipe's output tile / 4 = its input tile.
constexpr int LegacyUpscaleFactor = 4;

struct SamplerName
{
    const char* id;
    const char* display;           ///< A1111's label (ours for the reference's samplers)
    const char* function;          ///< k-diffusion's function without "sample_"; "" for none
    const char* automaticSchedule; ///< what A1111's "Automatic" means; "" = not k-diffusion
};
// The k-diffusion rows follow AUTOMATIC1111 1.10's samplers_k_diffusion table.
constexpr std::array<SamplerName, 16> KnownSamplers = {{
    {"ddim", "DDIM", "", ""},
    {"plms", "PLMS", "", ""},
    {"ddpm", "DDPM", "", ""},
    {"dpmpp2m", "DPM-Solver++ 2M (DDIM grid)", "", ""},
    {"euler", "Euler", "euler", "uniform"},
    {"euler_a", "Euler a", "euler_ancestral", "uniform"},
    {"heun", "Heun", "heun", "uniform"},
    {"lms", "LMS", "lms", "uniform"},
    {"dpm2", "DPM2", "dpm_2", "karras"},
    {"dpm2_a", "DPM2 a", "dpm_2_ancestral", "karras"},
    {"dpmpp_2s_a", "DPM++ 2S a", "dpmpp_2s_ancestral", "karras"},
    {"dpmpp_2m", "DPM++ 2M", "dpmpp_2m", "karras"},
    {"dpmpp_sde", "DPM++ SDE", "dpmpp_sde", "karras"},
    {"dpmpp_2m_sde", "DPM++ 2M SDE", "dpmpp_2m_sde", "exponential"},
    {"dpmpp_3m_sde", "DPM++ 3M SDE", "dpmpp_3m_sde", "exponential"},
    {"lcm", "LCM", "lcm", "uniform"},
}};

struct ScheduleName
{
    const char* name;
    const char* label;
};
constexpr std::array<ScheduleName, 11> KnownSchedules = {{
    {"automatic", "Automatic"},
    {"uniform", "Uniform"},
    {"karras", "Karras"},
    {"exponential", "Exponential"},
    {"sgm_uniform", "SGM Uniform"},
    {"polyexponential", "Polyexponential"},
    {"kl_optimal", "KL Optimal"},
    {"align_your_steps", "Align Your Steps"},
    {"simple", "Simple"},
    {"normal", "Normal"},
    {"beta", "Beta"},
}};

std::string lowerTrimmed(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    std::string out = text.substr(first, last - first + 1);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Error invalid(std::string message)
{
    return makeError(ErrorCode::InvalidFile, "recipe: " + std::move(message));
}

// Reads one optional field, failing on a wrong type so a corrupt file is reported instead of
// silently replaced by defaults.
template <typename T>
bool readField(const nlohmann::json& json, const char* key, T& out, std::string& error)
{
    const auto it = json.find(key);
    if (it == json.end() || it->is_null())
        return true;
    if constexpr (std::is_same_v<T, std::string>) {
        if (!it->is_string()) {
            error = std::string("field '") + key + "' must be text";
            return false;
        }
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
        if (!it->is_number_unsigned()) {
            error = std::string("field '") + key + "' must be a non-negative integer";
            return false;
        }
    } else if constexpr (std::is_integral_v<T>) {
        if (!it->is_number_integer()) {
            error = std::string("field '") + key + "' must be an integer";
            return false;
        }
        const auto wide = it->get<std::int64_t>();
        if (wide < std::numeric_limits<T>::min() || wide > std::numeric_limits<T>::max()) {
            error = std::string("field '") + key + "' is out of range";
            return false;
        }
    } else {
        if (!it->is_number()) {
            error = std::string("field '") + key + "' must be a number";
            return false;
        }
    }
    out = it->get<T>();
    return true;
}

nlohmann::json controlToJson(const ControlRecipe& c)
{
    if (!c.enabled())
        return nullptr;
    return nlohmann::json{{"model", c.model},       {"hash", c.hash},   {"hint_hash", c.hintHash},
                          {"strength", c.strength}, {"start", c.start}, {"end", c.end},
                          {"guess_mode", c.guessMode}};
}

bool readControl(const nlohmann::json& json, ControlRecipe& c, std::string& error)
{
    const auto it = json.find("control");
    if (it == json.end() || it->is_null())
        return true;
    if (!it->is_object()) {
        error = "field 'control' must be an object";
        return false;
    }
    if (!(readField(*it, "model", c.model, error) && readField(*it, "hash", c.hash, error) &&
          readField(*it, "hint_hash", c.hintHash, error) &&
          readField(*it, "strength", c.strength, error) &&
          readField(*it, "start", c.start, error) && readField(*it, "end", c.end, error)))
        return false;
    if (const auto guess = it->find("guess_mode"); guess != it->end() && !guess->is_null()) {
        if (!guess->is_boolean()) {
            error = "field 'control.guess_mode' must be true or false";
            return false;
        }
        c.guessMode = guess->get<bool>();
    }
    if (!(c.strength >= 0.0 && c.strength <= 2.0) ||
        !(c.start >= 0.0 && c.end <= 1.0 && c.start <= c.end)) {
        error = "control strength must be 0..2 and 0 <= start <= end <= 1";
        return false;
    }
    return true;
}

} // namespace

bool ControlRecipe::operator==(const ControlRecipe& o) const
{
    return model == o.model && hash == o.hash && hintHash == o.hintHash &&
           strength == o.strength && start == o.start && end == o.end &&
           guessMode == o.guessMode;
}

bool Recipe::operator==(const Recipe& o) const
{
    return task == o.task && modelName == o.modelName && modelHash == o.modelHash &&
           prompt == o.prompt && negativePrompt == o.negativePrompt && sampler == o.sampler &&
           steps == o.steps && guidanceScale == o.guidanceScale && eta == o.eta && seed == o.seed &&
           noiseLevel == o.noiseLevel &&
           rng == o.rng && etaNoiseSeedDelta == o.etaNoiseSeedDelta &&
           variationSeed == o.variationSeed && variationStrength == o.variationStrength && schedule == o.schedule &&
           width == o.width && height == o.height && precision == o.precision &&
           clipSkip == o.clipSkip && prediction == o.prediction && weights == o.weights && mapHash == o.mapHash && inputImageHash == o.inputImageHash &&
           maskHash == o.maskHash && strength == o.strength && tileSize == o.tileSize &&
           control == o.control &&
           growth == o.growth && loraHashes == o.loraHashes && tiHashes == o.tiHashes &&
           engineVersion == o.engineVersion && createdAt == o.createdAt;
}

bool isKnownTask(const std::string& task)
{
    return std::any_of(KnownTasks.begin(), KnownTasks.end(),
                       [&](const char* known) { return task == known; });
}

bool isKnownSampler(const std::string& sampler)
{
    return std::any_of(KnownSamplers.begin(), KnownSamplers.end(),
                       [&](const SamplerName& known) { return sampler == known.id; });
}

std::vector<std::string> knownSamplerIds()
{
    std::vector<std::string> ids;
    for (const auto& known : KnownSamplers)
        ids.emplace_back(known.id);
    return ids;
}

bool isKDiffusionSamplerId(const std::string& sampler)
{
    return !automaticSchedule(sampler).empty();
}

namespace {

// Spelling-insensitive key: lower case without spaces, '_' or '-'.
std::string nameKey(const std::string& text)
{
    std::string key;
    for (unsigned char c : text)
        if (!std::isspace(c) && c != '_' && c != '-')
            key += static_cast<char>(std::tolower(c));
    return key;
}

const SamplerName* findSampler(const std::string& name)
{
    const std::string lower = lowerTrimmed(name);
    for (const auto& known : KnownSamplers)
        if (lower == known.id || lower == lowerTrimmed(known.display))
            return &known;
    // A1111 aliases ("k_euler_a", "k_dpmpp_2m") and k-diffusion functions ("sample_lms").
    std::string key = nameKey(name);
    for (const char* prefix : {"sample", "k"})
        if (key.rfind(prefix, 0) == 0 && key.size() > std::strlen(prefix)) {
            const std::string rest = key.substr(std::strlen(prefix));
            for (const auto& known : KnownSamplers)
                if (*known.function && (rest == nameKey(known.function) || rest == nameKey(known.id)))
                    return &known;
        }
    for (const auto& known : KnownSamplers)
        if (*known.function && key == nameKey(known.function))
            return &known;
    return nullptr;
}

// An older A1111 name with the schedule appended ("DPM++ 2M Karras", "LMS Karras"): the
// sampler row and the schedule, or nullptr.
const SamplerName* splitScheduleSuffix(const std::string& name, std::string& schedule)
{
    const std::string trimmedName = lowerTrimmed(name);
    for (const auto& known : KnownSchedules) {
        const std::string suffix = " " + lowerTrimmed(known.label);
        if (trimmedName.size() > suffix.size() &&
            trimmedName.compare(trimmedName.size() - suffix.size(), suffix.size(), suffix) == 0) {
            const SamplerName* sampler =
                findSampler(trimmedName.substr(0, trimmedName.size() - suffix.size()));
            if (sampler && *sampler->automaticSchedule) {
                schedule = known.name;
                return sampler;
            }
        }
    }
    return nullptr;
}

} // namespace

std::string samplerFromDisplayName(const std::string& name)
{
    if (const SamplerName* known = findSampler(name))
        return known->id;
    std::string schedule;
    if (const SamplerName* known = splitScheduleSuffix(name, schedule))
        return known->id;
    return name;
}

std::string scheduleFromSamplerName(const std::string& name)
{
    std::string schedule;
    if (!findSampler(name))
        splitScheduleSuffix(name, schedule);
    return schedule;
}

std::string samplerDisplayName(const std::string& sampler)
{
    for (const auto& known : KnownSamplers) {
        if (sampler == known.id)
            return known.display;
    }
    return sampler;
}

std::string scheduleFromLabel(const std::string& label)
{
    const std::string key = nameKey(label);
    for (const auto& known : KnownSchedules)
        if (key == nameKey(known.name) || key == nameKey(known.label))
            return known.name;
    return {};
}

std::string scheduleLabel(const std::string& schedule)
{
    for (const auto& known : KnownSchedules)
        if (schedule == known.name)
            return known.label;
    return schedule;
}

SamplingDefaults defaultSampling(const std::string& task, const SamplingDefaults& release,
                                 bool noiseAugmentedUpscaler)
{
    if (release.known())
        return release;
    if (task == "upscale" && noiseAugmentedUpscaler)
        return {"ddim", 75, 0.0, 10.0}; // the x4 upscaler's reference script
    if (task == "upscale")
        return {"dpmpp2m", 25, 0.0, 1.0}; // the low-res image is its only condition
    return {"dpmpp2m", 25, 0.0, 5.0};
}

bool samplerReadsEta(const std::string& sampler)
{
    return samplerFromDisplayName(sampler) == "ddim";
}

std::string automaticSchedule(const std::string& sampler)
{
    for (const auto& known : KnownSamplers)
        if (sampler == known.id)
            return known.automaticSchedule;
    return {};
}

nlohmann::json toJson(const Recipe& r)
{
    return nlohmann::json{
        {"version", RecipeJsonVersion},
        {"task", r.task},
        {"model", r.modelName},
        {"model_hash", r.modelHash},
        {"prompt", r.prompt},
        {"negative_prompt", r.negativePrompt},
        {"sampler", r.sampler},
        {"steps", r.steps},
        {"guidance_scale", r.guidanceScale},
        {"eta", r.eta},
        {"noise_level", r.noiseLevel},
        {"seed", r.seed},
        {"rng", r.rng},
        {"ensd", r.etaNoiseSeedDelta},
        {"variation_seed", r.variationSeed},
        {"variation_strength", r.variationStrength},
        {"schedule", r.schedule},
        {"width", r.width},
        {"height", r.height},
        {"precision", r.precision},
        {"clip_skip", r.clipSkip},
        {"prediction", r.prediction},
        {"weights", r.weights},
        {"map_hash", r.mapHash},
        {"input_image_hash", r.inputImageHash},
        {"mask_hash", r.maskHash},
        {"strength", r.strength},
        {"tile_input_px", r.tileSize},
        {"control", controlToJson(r.control)},
        {"grow_left", r.growth.left},
        {"grow_right", r.growth.right},
        {"grow_top", r.growth.top},
        {"grow_bottom", r.growth.bottom},
        {"lora_hashes", r.loraHashes},
        {"ti_hashes", r.tiHashes},
        {"engine_version", r.engineVersion},
        {"created_at", r.createdAt},
    };
}

/// The upscale tile in input pixels ("tile_input_px"). Recipes written before it held
/// "tile_size", the output tile of a 4x upscaler.
static bool readTileSize(const nlohmann::json& json, int& tileSize, std::string& error)
{
    if (json.contains("tile_input_px"))
        return readField(json, "tile_input_px", tileSize, error);
    int outputTile = 0;
    if (!readField(json, "tile_size", outputTile, error))
        return false;
    tileSize = outputTile / LegacyUpscaleFactor;
    return true;
}

Result<Recipe> recipeFromJson(const nlohmann::json& json)
{
    if (!json.is_object())
        return invalid("expected a JSON object");
    int version = RecipeJsonVersion;
    std::string error;
    if (!readField(json, "version", version, error))
        return invalid(error);
    if (version > RecipeJsonVersion)
        return invalid("written by a newer Latent Canvas (format " + std::to_string(version) +
                       "); please update");
    if (!json.contains("task"))
        return invalid("field 'task' is missing");

    Recipe r;
    const bool fieldsOk =
        readField(json, "task", r.task, error) && readField(json, "model", r.modelName, error) &&
        readField(json, "model_hash", r.modelHash, error) &&
        readField(json, "prompt", r.prompt, error) &&
        readField(json, "negative_prompt", r.negativePrompt, error) &&
        readField(json, "sampler", r.sampler, error) && readField(json, "steps", r.steps, error) &&
        readField(json, "guidance_scale", r.guidanceScale, error) &&
        readField(json, "eta", r.eta, error) && readField(json, "seed", r.seed, error) &&
        readField(json, "noise_level", r.noiseLevel, error) &&
        readField(json, "rng", r.rng, error) &&
        readField(json, "ensd", r.etaNoiseSeedDelta, error) &&
        readField(json, "variation_seed", r.variationSeed, error) &&
        readField(json, "variation_strength", r.variationStrength, error) &&
        readField(json, "schedule", r.schedule, error) &&
        readField(json, "width", r.width, error) && readField(json, "height", r.height, error) &&
        readField(json, "precision", r.precision, error) &&
        readField(json, "clip_skip", r.clipSkip, error) &&
        readField(json, "prediction", r.prediction, error) &&
        readField(json, "weights", r.weights, error) &&
        readField(json, "map_hash", r.mapHash, error) &&
        readField(json, "input_image_hash", r.inputImageHash, error) &&
        readField(json, "mask_hash", r.maskHash, error) &&
        readField(json, "strength", r.strength, error) &&
        readTileSize(json, r.tileSize, error) && readControl(json, r.control, error) &&
        readField(json, "grow_left", r.growth.left, error) &&
        readField(json, "grow_right", r.growth.right, error) &&
        readField(json, "grow_top", r.growth.top, error) &&
        readField(json, "grow_bottom", r.growth.bottom, error) &&
        readField(json, "lora_hashes", r.loraHashes, error) &&
        readField(json, "ti_hashes", r.tiHashes, error) &&
        readField(json, "engine_version", r.engineVersion, error) &&
        readField(json, "created_at", r.createdAt, error);
    if (!fieldsOk)
        return invalid(error);

    if (!isKnownTask(r.task))
        return invalid("unknown task '" + r.task + "'");
    if (r.steps < 1 || r.steps > MaxSteps)
        return invalid("steps must be between 1 and " + std::to_string(MaxSteps));
    if (r.width < 1 || r.height < 1 || r.width > MaxSide || r.height > MaxSide)
        return invalid("image size " + std::to_string(r.width) + "x" + std::to_string(r.height) +
                       " is out of range");
    if (!std::isfinite(r.guidanceScale) || !std::isfinite(r.eta) || r.eta < 0.0)
        return invalid("guidance scale and eta must be finite, eta not negative");
    if (!(r.strength >= 0.0 && r.strength <= 1.0))
        return invalid("strength must be between 0 and 1");
    if (r.tileSize < 0)
        return invalid("tile size must not be negative");
    for (int grown : {r.growth.left, r.growth.right, r.growth.top, r.growth.bottom})
        if (grown < 0 || grown > MaxSide)
            return invalid("outpaint growth must be between 0 and " + std::to_string(MaxSide));
    if (r.prediction != "eps" && r.prediction != "v")
        return invalid("prediction must be eps or v");
    if (r.noiseLevel < -1 || r.noiseLevel > MaxSteps)
        return invalid("noise level must be between 0 and " + std::to_string(MaxSteps));
    if (!r.weights.empty() && r.weights != "ema" && r.weights != "raw")
        return invalid("weights must be ema or raw");
    if (r.rng != "ours" && r.rng != "cpu" && r.rng != "nv")
        return invalid("rng must be ours, cpu or nv");
    if (!(r.variationStrength >= 0.0 && r.variationStrength <= 1.0))
        return invalid("variation strength must be between 0 and 1");
    if (scheduleFromLabel(r.schedule).empty())
        return invalid("unknown schedule '" + r.schedule + "'");
    r.schedule = scheduleFromLabel(r.schedule);
    if (r.clipSkip < 1 || r.clipSkip > MaxClipSkip)
        return invalid("clip skip must be between 1 and " + std::to_string(MaxClipSkip));
    return r;
}

Result<Recipe> recipeFromJsonText(const std::string& text)
{
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded())
        return invalid("not valid JSON");
    return recipeFromJson(json);
}

} // namespace ldm
