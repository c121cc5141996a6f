// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/yaml_json.h"
#include "core/input_limits.h"
#include "core/regular_file.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sstream>

namespace ldm {
namespace {

size_t invalidUtf8At(const std::string& text);

/// `text` when it is UTF-8; escapes in a quoted scalar ("\uD800") can give text that is not.
const std::string& checkedUtf8(const std::string& text)
{
    if (invalidUtf8At(text) != std::string::npos)
        throw std::runtime_error("a value's escapes give text that is not UTF-8");
    return text;
}

nlohmann::json scalarToJson(const YAML::Node& node)
{
    const std::string text = node.Scalar();
    if (node.Tag() == "!")  // quoted in the YAML: always a string
        return text;
    if (text == "null" || text == "~" || text == "None" || text.empty())
        return nullptr;
    if (text == "true" || text == "True")
        return true;
    if (text == "false" || text == "False")
        return false;
    errno = 0;
    char* end = nullptr;
    const long long asInt = std::strtoll(text.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0')
        return asInt;
    errno = 0;
    const double asDouble = std::strtod(text.c_str(), &end);
    if (errno == 0 && end && *end == '\0')
        return asDouble;
    return text;
}

// Depth, expansion and size limits live in core/input_limits.h with the other input limits.
using limits::MaxYamlDepth;
using limits::MaxYamlValues;
constexpr std::streamsize MaxYamlBytes = std::streamsize(limits::MaxYamlBytes);

struct YamlBudget {
    size_t values = 0;
};

nlohmann::json toJson(const YAML::Node& node, int depth, YamlBudget& budget)
{
    if (depth > MaxYamlDepth)
        throw std::runtime_error("nested deeper than " + std::to_string(MaxYamlDepth) +
                                 " levels (a self-referencing alias?)");
    if (++budget.values > MaxYamlValues)
        throw std::runtime_error("expands to more than " + std::to_string(MaxYamlValues) +
                                 " values (repeated aliases?)");
    switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar:
        checkedUtf8(node.Scalar());
        return scalarToJson(node);
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node)
            array.push_back(toJson(item, depth + 1, budget));
        return array;
    }
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& item : node) {
            if (!item.first.IsScalar())
                throw std::runtime_error("a mapping key is not a plain value");
            object[checkedUtf8(item.first.Scalar())] = toJson(item.second, depth + 1, budget);
        }
        return object;
    }
    }
    return nullptr;
}

/// The offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
/// past U+10FFFF included) or is a NUL, or npos. JSON text must be UTF-8: a config string that
/// is not would make every later dump() of it throw. NUL is no YAML character, and NULs at the
/// start make yaml-cpp read the text as UTF-16/32, which can decode to anything.
size_t invalidUtf8At(const std::string& text)
{
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const size_t size = text.size();
    for (size_t i = 0; i < size;) {
        const unsigned char lead = bytes[i];
        const size_t length = lead < 0x80         ? 1
                              : (lead >> 5) == 6  ? 2
                              : (lead >> 4) == 14 ? 3
                              : (lead >> 3) == 30 ? 4
                                                  : 0;
        if (length == 0 || lead == 0 || i + length > size)
            return i;
        uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
        for (size_t k = 1; k < length; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80)
                return i;
            code = (code << 6) | (bytes[i + k] & 0x3F);
        }
        const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return i;
        i += length;
    }
    return std::string::npos;
}

} // namespace

Result<nlohmann::json> parseYamlAsJson(const std::string& text)
{
    if (const size_t bad = invalidUtf8At(text); bad != std::string::npos)
        return makeError(ErrorCode::InvalidFile,
                         "not valid YAML: not UTF-8 text (byte " + std::to_string(bad) +
                             " is not UTF-8 or is a NUL)");
    try {
        YamlBudget budget;
        return toJson(YAML::Load(text), 0, budget);
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidFile, std::string("not valid YAML: ") + error.what());
    }
}

Result<nlohmann::json> readYamlAsJson(const std::string& path)
{
    // Only regular files (a FIFO would block, a device could be endless), of bounded size.
    auto text = files::readRegular(path, MaxYamlBytes, "config");
    if (!text) {
        std::error_code ec;
        const bool absent = !std::filesystem::exists(path, ec);
        return makeError(ErrorCode::InvalidFile,
                         text.error().message + (absent ? " (it does not exist)" : ""));
    }
    auto parsed = parseYamlAsJson(*text);
    if (!parsed)
        return makeError(ErrorCode::InvalidFile, path + ": " + parsed.error().message);
    return parsed;
}

} // namespace ldm
