// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ldm {
namespace {

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

nlohmann::json toJson(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return scalarToJson(node);
    case YAML::NodeType::Sequence: {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node)
            array.push_back(toJson(item));
        return array;
    }
    case YAML::NodeType::Map: {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& item : node)
            object[item.first.as<std::string>()] = toJson(item.second);
        return object;
    }
    }
    return nullptr;
}

} // namespace

Result<nlohmann::json> parseYamlAsJson(const std::string& text)
{
    try {
        return toJson(YAML::Load(text));
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidFile, std::string("not valid YAML: ") + error.what());
    }
}

Result<nlohmann::json> readYamlAsJson(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        return makeError(ErrorCode::InvalidFile, "cannot open config " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto parsed = parseYamlAsJson(buffer.str());
    if (!parsed)
        return makeError(ErrorCode::InvalidFile, path + ": " + parsed.error().message);
    return parsed;
}

} // namespace ldm
