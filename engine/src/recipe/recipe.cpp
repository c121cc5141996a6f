// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm/recipe.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <utility>

namespace ldm {

namespace {

constexpr std::array<const char*, 5> KnownTasks = {"txt2img", "paint", "upscale", "img2img",
                                                   "inpaint"};
constexpr int MaxSide = 16384;
constexpr int MaxSteps = 10000;

struct SamplerName
{
    const char* id;
    const char* display;
};
constexpr std::array<SamplerName, 4> KnownSamplers = {{
    {"ddim", "DDIM"},
    {"plms", "PLMS"},
    {"ddpm", "DDPM"},
    {"dpmpp2m", "DPM++ 2M"},
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

} // namespace

bool Recipe::operator==(const Recipe& o) const
{
    return task == o.task && modelName == o.modelName && modelHash == o.modelHash &&
           prompt == o.prompt && negativePrompt == o.negativePrompt && sampler == o.sampler &&
           steps == o.steps && guidanceScale == o.guidanceScale && eta == o.eta && seed == o.seed &&
           width == o.width && height == o.height && precision == o.precision &&
           clipSkip == o.clipSkip && prediction == o.prediction && mapHash == o.mapHash && inputImageHash == o.inputImageHash &&
           maskHash == o.maskHash && strength == o.strength && tileSize == o.tileSize &&
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

std::string samplerFromDisplayName(const std::string& name)
{
    const std::string key = lowerTrimmed(name);
    for (const auto& known : KnownSamplers) {
        if (key == known.id || key == lowerTrimmed(known.display))
            return known.id;
    }
    // The Karras schedule changes the sigmas, not the update rule, so the step is still 2M.
    if (key == "dpm++ 2m karras" || key == "dpmpp_2m" || key == "dpmpp_2m_karras")
        return "dpmpp2m";
    // DDIM with eta = 0 is the Euler method on the probability-flow ODE (Karras et al. 2022).
    if (key == "euler" || key == "euler karras")
        return "ddim";
    return name;
}

std::string samplerDisplayName(const std::string& sampler)
{
    for (const auto& known : KnownSamplers) {
        if (sampler == known.id)
            return known.display;
    }
    return sampler;
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
        {"seed", r.seed},
        {"width", r.width},
        {"height", r.height},
        {"precision", r.precision},
        {"clip_skip", r.clipSkip},
        {"prediction", r.prediction},
        {"map_hash", r.mapHash},
        {"input_image_hash", r.inputImageHash},
        {"mask_hash", r.maskHash},
        {"strength", r.strength},
        {"tile_size", r.tileSize},
        {"engine_version", r.engineVersion},
        {"created_at", r.createdAt},
    };
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
        readField(json, "width", r.width, error) && readField(json, "height", r.height, error) &&
        readField(json, "precision", r.precision, error) &&
        readField(json, "clip_skip", r.clipSkip, error) &&
        readField(json, "prediction", r.prediction, error) &&
        readField(json, "map_hash", r.mapHash, error) &&
        readField(json, "input_image_hash", r.inputImageHash, error) &&
        readField(json, "mask_hash", r.maskHash, error) &&
        readField(json, "strength", r.strength, error) &&
        readField(json, "tile_size", r.tileSize, error) &&
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
    if (r.prediction != "eps" && r.prediction != "v")
        return invalid("prediction must be eps or v");
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
