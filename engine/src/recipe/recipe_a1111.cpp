// SPDX-License-Identifier: GPL-3.0-or-later
// Reading and writing the Automatic1111 `parameters` text. The parser mirrors A1111's own
// parse_generation_parameters() (modules/infotext_utils.py) so files from that tool read the
// same way here, but it is hand-written: std::regex recurses per character and can overflow
// the stack on a long hostile line.
#include "ldm/recipe.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

namespace ldm {

namespace {

using KeyValue = std::pair<std::string, std::string>;

bool isWordChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || u >= 0x80; // UTF-8 letters count as word characters
}

bool isKeyChar(char c)
{
    return isWordChar(c) || c == ' ' || c == '-' || c == '/';
}

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string trimmed(const std::string& text)
{
    std::size_t first = 0;
    std::size_t last = text.size();
    while (first < last && isSpace(text[first]))
        ++first;
    while (last > first && isSpace(text[last - 1]))
        --last;
    return text.substr(first, last - first);
}

// Matches A1111's regex  \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)  at `pos`;
// returns the end of the match, or nothing.
std::optional<std::size_t> matchPair(const std::string& s, std::size_t pos, KeyValue& out)
{
    const std::size_t n = s.size();
    std::size_t p = pos;
    while (p < n && isSpace(s[p]))
        ++p;
    if (p >= n || !isWordChar(s[p]))
        return std::nullopt;
    const std::size_t keyStart = p;
    std::size_t q = p + 1;
    while (q < n && isKeyChar(s[q]))
        ++q;
    if (q - keyStart < 2 || q >= n || s[q] != ':')
        return std::nullopt;
    std::string key = trimmed(s.substr(keyStart, q - keyStart));
    p = q + 1;
    while (p < n && isSpace(s[p]))
        ++p;

    if (p < n && s[p] == '"') {
        std::size_t r = p + 1;
        while (r < n && s[r] != '"')
            r += (s[r] == '\\' && r + 1 < n) ? 2 : 1;
        const bool closed = r < n && r > p + 1;
        if (closed && (r + 1 == n || s[r + 1] == ',')) {
            out = {std::move(key), s.substr(p, r + 1 - p)};
            return r + 1 == n ? n : r + 2;
        }
    }
    std::size_t r = p;
    while (r < n && s[r] != ',')
        ++r;
    out = {std::move(key), s.substr(p, r - p)};
    return r == n ? n : r + 1;
}

std::vector<KeyValue> findPairs(const std::string& line)
{
    std::vector<KeyValue> pairs;
    std::size_t pos = 0;
    while (pos < line.size()) {
        KeyValue pair;
        if (const auto end = matchPair(line, pos, pair)) {
            pairs.push_back(std::move(pair));
            pos = *end;
        } else {
            ++pos;
        }
    }
    return pairs;
}

std::string unquote(const std::string& value)
{
    if (value.size() < 2 || value.front() != '"' || value.back() != '"')
        return value;
    const auto json = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
    return json.is_string() ? json.get<std::string>() : value;
}

// A1111 quotes a value only when it would otherwise break the line apart.
std::string quoteIfNeeded(const std::string& value)
{
    if (value.find_first_of(",:\n\"") == std::string::npos)
        return value;
    return nlohmann::json(value).dump(-1, ' ', /*ensure_ascii=*/false,
                                      nlohmann::json::error_handler_t::replace);
}

// Shortest text that reads back to the same double, always with a decimal point ("7.0").
std::string formatNumber(double value)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, result.ptr);
    if (text.find_first_of(".eEn") == std::string::npos)
        text += ".0";
    return text;
}

template <typename T> void parseInteger(const std::string& text, T& out)
{
    T value{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size())
        out = value;
}

void parseDouble(const std::string& text, double& out)
{
    if (text.empty())
        return;
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size())
        out = value;
}

void parseSize(const std::string& text, Recipe& r)
{
    const auto x = text.find('x');
    if (x == std::string::npos)
        return;
    int width = 0;
    int height = 0;
    parseInteger(text.substr(0, x), width);
    parseInteger(text.substr(x + 1), height);
    if (width > 0 && height > 0) {
        r.width = width;
        r.height = height;
    }
}

// "left 64 right 0 top 0 bottom 32": the outpaint growth per side, in any order.
void parseGrowth(const std::string& text, CanvasGrowth& growth)
{
    std::istringstream words(text);
    std::string side;
    std::string amount;
    CanvasGrowth parsed;
    while (words >> side >> amount) {
        int* target = side == "left"    ? &parsed.left
                      : side == "right" ? &parsed.right
                      : side == "top"   ? &parsed.top
                      : side == "bottom" ? &parsed.bottom
                                         : nullptr;
        int value = -1;
        parseInteger(amount, value);
        if (!target || value < 0)
            return; // not ours: keep the defaults rather than half a value
        *target = value;
    }
    growth = parsed;
}

std::string lowerCase(std::string text)
{
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// A1111 names its noise sources "CPU" and "NV"; ours keeps its own name.
std::string rngLabel(const std::string& rng)
{
    return rng == "cpu" ? "CPU" : rng == "nv" ? "NV" : rng;
}

// The sd-webui-controlnet entry: "Module: none, Model: name [hash], Weight: 1.0, ...".
std::string formatControl(const ControlRecipe& c)
{
    std::string text = "Module: none, Model: " + c.model;
    if (!c.hash.empty())
        text += " [" + c.hash + "]";
    text += ", Weight: " + formatNumber(c.strength) + ", Resize Mode: Just Resize" +
            ", Guidance Start: " + formatNumber(c.start) +
            ", Guidance End: " + formatNumber(c.end) + ", Control Mode: " +
            (c.guessMode ? "ControlNet is more important" : "Balanced");
    if (!c.hintHash.empty())
        text += ", Hint hash: " + c.hintHash;
    return text;
}

void parseControl(const std::string& text, ControlRecipe& out)
{
    ControlRecipe c;
    for (const auto& [key, rawValue] : findPairs(text)) {
        const std::string value = trimmed(rawValue);
        if (key == "Model") {
            const auto open = value.rfind(" [");
            const bool hashed = open != std::string::npos && value.back() == ']';
            c.model = hashed ? value.substr(0, open) : value;
            if (hashed)
                c.hash = value.substr(open + 2, value.size() - open - 3);
        } else if (key == "Weight") {
            parseDouble(value, c.strength);
        } else if (key == "Guidance Start") {
            parseDouble(value, c.start);
        } else if (key == "Guidance End") {
            parseDouble(value, c.end);
        } else if (key == "Control Mode") {
            c.guessMode = value == "ControlNet is more important";
        } else if (key == "Hint hash") {
            c.hintHash = value;
        }
    }
    const bool valid = c.strength >= 0.0 && c.strength <= 2.0 && c.start >= 0.0 &&
                       c.end <= 1.0 && c.start <= c.end;
    if (!c.model.empty() && valid)
        out = c;
}

void applyPair(const std::string& key, const std::string& value, Recipe& r)
{
    if (key == "Steps")
        parseInteger(value, r.steps);
    else if (key == "Sampler") {
        r.sampler = samplerFromDisplayName(value);
        // Before A1111 1.9 the schedule was part of the name ("DPM++ 2M Karras").
        if (const std::string schedule = scheduleFromSamplerName(value); !schedule.empty())
            r.schedule = schedule;
    }
    else if (key == "Schedule type" && !scheduleFromLabel(value).empty())
        r.schedule = scheduleFromLabel(value);
    else if (key == "RNG") {
        const std::string rng = lowerCase(value);
        // A1111's "GPU" noise is torch.randn on an NVIDIA GPU, which its "NV" reproduces.
        if (rng == "cpu" || rng == "nv" || rng == "ours")
            r.rng = rng;
        else if (rng == "gpu")
            r.rng = "nv";
    }
    else if (key == "ENSD")
        parseInteger(value, r.etaNoiseSeedDelta);
    else if (key == "Variation seed")
        parseInteger(value, r.variationSeed);
    else if (key == "Variation seed strength")
        parseDouble(value, r.variationStrength);
    else if (key == "CFG scale")
        parseDouble(value, r.guidanceScale);
    else if (key == "Seed")
        parseInteger(value, r.seed);
    else if (key == "Size")
        parseSize(value, r);
    else if (key == "Model hash")
        r.modelHash = value;
    else if (key == "Model")
        r.modelName = value;
    else if (key == "Eta" || key == "Eta DDIM")
        parseDouble(value, r.eta);
    else if (key == "Noise level") {
        int level = -1;
        parseInteger(value, level);
        if (level >= 0 && level <= 1000)
            r.noiseLevel = level;
    }
    else if (key == "Precision")
        r.precision = value;
    else if (key == "Prediction" && (value == "eps" || value == "v"))
        r.prediction = value;
    else if (key == "Weights" && (value == "ema" || value == "raw"))
        r.weights = value;
    else if (key == "Clip skip") {
        int skip = 0;
        parseInteger(value, skip);
        if (skip >= 1 && skip <= MaxClipSkip)
            r.clipSkip = skip;
    }
    else if (key == "Task" && isKnownTask(value))
        r.task = value;
    else if (key == "Map hash")
        r.mapHash = value;
    else if (key == "Input hash")
        r.inputImageHash = value;
    else if (key == "Tile input px")
        parseInteger(value, r.tileSize);
    else if (key == "Tile size") { // written before "Tile input px": a 4x upscaler's output tile
        int outputTile = 0;
        parseInteger(value, outputTile);
        r.tileSize = outputTile / 4;
    }
    else if (key == "Denoising strength") {
        double strength = -1.0;
        parseDouble(value, strength);
        if (strength >= 0.0 && strength <= 1.0)
            r.strength = strength;
    }
    else if (key == "ControlNet 0")
        parseControl(value, r.control);
    else if (key == "Mask hash")
        r.maskHash = value;
    else if (key == "Outpaint")
        parseGrowth(value, r.growth);
    else if (key == "Lora hashes")
        r.loraHashes = value;
    else if (key == "TI hashes")
        r.tiHashes = value;
    else if (key == "Engine")
        r.engineVersion = value;
    else if (key == "Created")
        r.createdAt = value;
    // Anything else (Version, Emphasis, ...) has no equivalent here.
}

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (true) {
        const auto nl = text.find('\n', start);
        std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(std::move(line));
        if (nl == std::string::npos)
            return lines;
        start = nl + 1;
    }
}

} // namespace

std::string toA1111Parameters(const Recipe& r)
{
    std::string text = r.prompt + "\n";
    if (!r.negativePrompt.empty())
        text += "Negative prompt: " + r.negativePrompt + "\n";

    std::vector<KeyValue> pairs = {
        {"Steps", std::to_string(r.steps)},
        {"Sampler", samplerDisplayName(r.sampler)},
    };
    // A1111 names the schedule whenever it is not the model's own (uniform) one by default.
    if (isKDiffusionSamplerId(r.sampler)) {
        const std::string schedule =
            r.schedule == "automatic" ? automaticSchedule(r.sampler) : r.schedule;
        if (r.schedule != "automatic" || schedule != "uniform")
            pairs.emplace_back("Schedule type", scheduleLabel(schedule));
    }
    pairs.insert(pairs.end(), {
        {"CFG scale", formatNumber(r.guidanceScale)},
        {"Seed", std::to_string(r.seed)},
        {"Size", std::to_string(r.width) + "x" + std::to_string(r.height)},
    });
    const auto addIf = [&pairs](bool present, const char* key, std::string value) {
        if (present)
            pairs.emplace_back(key, std::move(value));
    };
    addIf(!r.modelHash.empty(), "Model hash", r.modelHash);
    addIf(!r.modelName.empty(), "Model", r.modelName);
    // Only DDIM reads eta; the k-diffusion samplers run with A1111's ancestral eta 1, which
    // A1111 leaves unwritten.
    addIf(samplerReadsEta(r.sampler), "Eta", formatNumber(r.eta));
    // A1111 writes "RNG" unless its noise came from the GPU; a file without it means "nv".
    addIf(r.rng != "nv", "RNG", rngLabel(r.rng));
    addIf(r.etaNoiseSeedDelta != 0, "ENSD", std::to_string(r.etaNoiseSeedDelta));
    addIf(r.variationStrength != 0, "Variation seed", std::to_string(r.variationSeed));
    addIf(r.variationStrength != 0, "Variation seed strength", formatNumber(r.variationStrength));
    addIf(r.noiseLevel >= 0, "Noise level", std::to_string(r.noiseLevel));
    addIf(!r.precision.empty(), "Precision", r.precision);
    addIf(r.clipSkip > 1, "Clip skip", std::to_string(r.clipSkip));
    addIf(r.prediction == "v", "Prediction", r.prediction);
    addIf(!r.weights.empty(), "Weights", r.weights);
    addIf(true, "Task", r.task);
    addIf(!r.mapHash.empty(), "Map hash", r.mapHash);
    addIf(!r.inputImageHash.empty(), "Input hash", r.inputImageHash);
    addIf(!r.maskHash.empty(), "Mask hash", r.maskHash);
    // A1111 writes the strength for its img2img tab only (which also inpaints); txt2img
    // recipes stay as they were.
    addIf(r.task == "img2img" || r.task == "inpaint" || r.task == "outpaint",
          "Denoising strength", formatNumber(r.strength));
    addIf(r.growth.any(), "Outpaint",
          "left " + std::to_string(r.growth.left) + " right " + std::to_string(r.growth.right) +
              " top " + std::to_string(r.growth.top) + " bottom " +
              std::to_string(r.growth.bottom));
    addIf(r.tileSize > 0, "Tile input px", std::to_string(r.tileSize));
    addIf(r.control.enabled(), "ControlNet 0", formatControl(r.control));
    addIf(!r.loraHashes.empty(), "Lora hashes", r.loraHashes);
    addIf(!r.tiHashes.empty(), "TI hashes", r.tiHashes);
    addIf(!r.engineVersion.empty(), "Engine", r.engineVersion);
    addIf(!r.createdAt.empty(), "Created", r.createdAt);

    for (std::size_t i = 0; i < pairs.size(); ++i) {
        text += (i ? ", " : "") + pairs[i].first + ": " + quoteIfNeeded(pairs[i].second);
    }
    return text;
}

namespace {

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF): a recipe holds its strings as JSON, which must be UTF-8.
bool isUtf8(const std::string& text)
{
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t size = text.size();
    static constexpr uint32_t Smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < size;) {
        const unsigned lead = bytes[i];
        const size_t length = lead < 0x80          ? 1
                              : (lead >> 5) == 6   ? 2
                              : (lead >> 4) == 14  ? 3
                              : (lead >> 3) == 30  ? 4
                                                   : 0;
        if (length == 0 || i + length > size)
            return false;
        uint32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (size_t k = 1; k < length; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80)
                return false;
            code = (code << 6) | (bytes[i + k] & 0x3F);
        }
        if (code < Smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return false;
        i += length;
    }
    return true;
}

} // namespace

Result<Recipe> recipeFromA1111Parameters(const std::string& rawText)
{
    // Found by fuzzing: text that is not UTF-8 made a recipe whose JSON could not be written.
    if (!isUtf8(rawText))
        return makeError(ErrorCode::InvalidFile, "parameters: the text is not UTF-8");
    std::vector<std::string> lines = splitLines(trimmed(rawText));
    std::string settingsLine = lines.back();
    lines.pop_back();
    // Like A1111: a last line with fewer than three pairs is still part of the prompt.
    if (findPairs(settingsLine).size() < 3) {
        lines.push_back(std::move(settingsLine));
        settingsLine.clear();
    }
    if (settingsLine.empty())
        return makeError(ErrorCode::InvalidFile,
                         "parameters: no generation settings (Steps, Sampler, Seed, ...) found");

    Recipe r;
    bool negative = false;
    for (std::string line : lines) {
        line = trimmed(line);
        static const std::string NegativeKey = "Negative prompt:";
        if (line.compare(0, NegativeKey.size(), NegativeKey) == 0) {
            negative = true;
            line = trimmed(line.substr(NegativeKey.size()));
        }
        std::string& target = negative ? r.negativePrompt : r.prompt;
        target += (target.empty() ? "" : "\n") + line;
    }
    bool namesRng = false;
    bool namesEngine = false;
    std::string samplerName;
    for (const auto& [key, value] : findPairs(settingsLine)) {
        applyPair(key, unquote(trimmed(value)), r);
        namesRng = namesRng || key == "RNG";
        namesEngine = namesEngine || key == "Engine";
        if (key == "Sampler")
            samplerName = trimmed(unquote(trimmed(value)));
    }
    if (!namesRng) {
        // Our files before the "RNG" key used our own generator and called the discrete
        // DPM-Solver++ 2M "DPM++ 2M"; a file from A1111 without "RNG" used its GPU noise.
        r.rng = namesEngine ? "ours" : "nv";
        if (namesEngine && samplerName == "DPM++ 2M")
            r.sampler = "dpmpp2m";
    }
    // The text is from a file, so the values get the same checks as a JSON recipe (steps, size,
    // finite CFG and eta, ...): the round trip through JSON reuses them rather than copying.
    auto checked = recipeFromJson(toJson(r));
    if (!checked)
        return makeError(checked.error().code, "parameters: " + checked.error().message);
    return checked;
}

} // namespace ldm
