// SPDX-License-Identifier: GPL-3.0-or-later
#include "lora/lora_prompt.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

namespace ldm::lora {
namespace {

/// Python's `\w` on str: ASCII letters, digits, '_' and (approximately) any non-ASCII letter,
/// which UTF-8 encodes in bytes of 0x80 and above.
bool isWordByte(unsigned char c)
{
    return std::isalnum(c) || c == '_' || c >= 0x80;
}

/// The end (one past '>') of a tag `<word:args>` starting at `start`, with its parts; nullopt
/// when none starts there. `[^>]+` may cross '<' and newlines, as the regular expression does.
std::optional<size_t> matchTag(const std::string& text, size_t start, std::string& kind,
                               std::string& args)
{
    size_t pos = start + 1;
    while (pos < text.size() && isWordByte(static_cast<unsigned char>(text[pos])))
        ++pos;
    if (pos == start + 1 || pos >= text.size() || text[pos] != ':')
        return std::nullopt;
    const size_t close = text.find('>', pos + 1);
    if (close == std::string::npos || close == pos + 1)
        return std::nullopt;
    kind = text.substr(start + 1, pos - start - 1);
    args = text.substr(pos + 1, close - pos - 1);
    return close + 1;
}

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    size_t begin = 0;
    while (true) {
        const size_t at = text.find(separator, begin);
        parts.push_back(text.substr(begin, at == std::string::npos ? at : at - begin));
        if (at == std::string::npos)
            return parts;
        begin = at + 1;
    }
}

/// Python's float() on the texts a multiplier takes: surrounding whitespace allowed, digit
/// separators '_' ignored; hexadecimal, "inf" and "nan" refused (they make no picture).
std::optional<double> parseMultiplier(const std::string& raw)
{
    const size_t first = raw.find_first_not_of(" \t\r\n");
    const size_t last = raw.find_last_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::nullopt;
    std::string text;
    for (char c : raw.substr(first, last - first + 1)) {
        if (c == '_')
            continue;
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' ||
              c == '+' || c == '-'))
            return std::nullopt;
        text += c;
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

Result<LoraTag> readLoraTag(const std::string& args, const std::string& written)
{
    std::vector<std::string> positional;
    std::map<std::string, std::string> named;
    for (const std::string& item : split(args, ':')) {
        const size_t equals = item.find('=');
        if (equals != std::string::npos)
            named[item.substr(0, equals)] = item.substr(equals + 1);
        else
            positional.push_back(item);
    }
    if (positional.empty() || positional[0].empty())
        return makeError(ErrorCode::InvalidRequest,
                         "the prompt's " + written + " names no LoRA file");
    LoraTag tag;
    tag.name = positional[0];
    tag.text = written;
    const auto number = [&](const std::string& value, const char* what) -> Result<double> {
        if (const auto parsed = parseMultiplier(value))
            return *parsed;
        return makeError(ErrorCode::InvalidRequest,
                         "the prompt's " + written + ": the " + what + " multiplier '" + value +
                             "' is not a number (write e.g. <lora:" + tag.name + ":0.8>)");
    };
    std::string textValue = positional.size() > 1 ? positional[1] : std::string("1");
    if (const auto it = named.find("te"); it != named.end())
        textValue = it->second;
    auto text = number(textValue, "text-encoder");
    if (!text)
        return text.error();
    std::string unetValue = positional.size() > 2 ? positional[2] : textValue;
    if (const auto it = named.find("unet"); it != named.end())
        unetValue = it->second;
    auto unet = number(unetValue, "UNet");
    if (!unet)
        return unet.error();
    tag.textWeight = *text;
    tag.unetWeight = *unet;
    return tag;
}

} // namespace

Result<PromptNetworks> extractPromptNetworks(const std::string& prompt)
{
    PromptNetworks out;
    size_t pos = 0;
    while (pos < prompt.size()) {
        std::string kind, args;
        const auto end = prompt[pos] == '<' ? matchTag(prompt, pos, kind, args) : std::nullopt;
        if (!end) {
            out.prompt += prompt[pos++];
            continue;
        }
        const std::string written = prompt.substr(pos, *end - pos);
        if (kind == "lora" || kind == "lyco") {
            auto tag = readLoraTag(args, written);
            if (!tag)
                return tag.error();
            out.loras.push_back(std::move(tag.value()));
        } else {
            out.otherTags.push_back(written);
        }
        pos = *end;
    }
    return out;
}

} // namespace ldm::lora
