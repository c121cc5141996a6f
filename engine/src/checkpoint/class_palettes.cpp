// SPDX-License-Identifier: GPL-3.0-or-later
#include "checkpoint/class_palettes.h"

#include <nlohmann/json.hpp>

#include <set>

namespace ldm {
namespace detail {
extern const char* const CocoStuffPaletteJson; // cocostuff_palette_json.cpp (generated)
}

Result<std::vector<SemanticClass>> parsePaletteJson(const std::string& text)
{
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("classes") ||
        !doc["classes"].is_array())
        return makeError(ErrorCode::InvalidFile, "not a palette (no \"classes\" list)");
    std::vector<SemanticClass> classes;
    std::set<int> ids;
    std::set<std::string> colors;
    for (const auto& entry : doc["classes"]) {
        const bool valid = entry.is_object() && entry.contains("id") &&
                           entry["id"].is_number_integer() && entry.contains("color") &&
                           entry["color"].is_string() && entry.value("name", std::string()) != "";
        if (!valid)
            return makeError(ErrorCode::InvalidFile,
                             "palette entry without an integer id, a name and a colour: " +
                                 entry.dump().substr(0, 80));
        SemanticClass c{entry["id"].get<int>(), entry["name"].get<std::string>(),
                        entry["color"].get<std::string>()};
        const bool hex =
            c.color.size() == 7 && c.color[0] == '#' &&
            c.color.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
        if (c.id < 0 || c.id > 255 || !ids.insert(c.id).second)
            return makeError(ErrorCode::InvalidFile, "palette class id " + std::to_string(c.id) +
                                                         " is repeated or outside 0..255");
        if (!hex || !colors.insert(c.color).second)
            return makeError(ErrorCode::InvalidFile, "palette class '" + c.name + "' has colour '" +
                                                         c.color + "': not #rrggbb, or repeated");
        classes.push_back(std::move(c));
    }
    return classes;
}

const std::vector<SemanticClass>& cocoStuffClasses()
{
    static const std::vector<SemanticClass> classes = [] {
        auto parsed = parsePaletteJson(detail::CocoStuffPaletteJson);
        // The file is checked by tst_yaml_config; a broken build must not crash the app.
        return parsed ? parsed.value() : std::vector<SemanticClass>{};
    }();
    return classes;
}

} // namespace ldm
