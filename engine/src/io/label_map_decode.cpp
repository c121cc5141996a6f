// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/label_map_decode.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

namespace ldm {
namespace {

constexpr size_t MaxListed = 8;

std::optional<uint32_t> parseHexColor(const std::string& text)
{
    if (text.size() != 7 || text[0] != '#' ||
        text.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos)
        return std::nullopt;
    return uint32_t(std::stoul(text.substr(1), nullptr, 16));
}

std::string hexOf(uint32_t color)
{
    char hex[8];
    std::snprintf(hex, sizeof hex, "#%06x", unsigned(color & 0xffffff));
    return hex;
}

template <typename T, typename Format> std::string listOf(const std::set<T>& items, Format format)
{
    std::string list;
    size_t shown = 0;
    for (const T& item : items) {
        if (shown++ == MaxListed)
            return list + ", ...";
        list += (list.empty() ? "" : ", ") + format(item);
    }
    return list;
}

struct Palette
{
    std::map<uint32_t, uint8_t> idOfColor;
    std::set<int> ids;
};

Result<Palette> paletteOf(const std::vector<ClassInfo>& classes)
{
    Palette palette;
    for (const auto& c : classes) {
        const auto value = parseHexColor(c.color);
        if (!value)
            return makeError(ErrorCode::InvalidFile, "the model's class " + std::to_string(c.id) +
                                                         " has colour '" + c.color.substr(0, 20) +
                                                         "', not #rrggbb");
        palette.idOfColor[*value] = uint8_t(c.id);
        palette.ids.insert(c.id);
    }
    return palette;
}

/// The distinct values used by the pixels.
std::vector<uint16_t> usedValues(const std::vector<uint16_t>& values)
{
    std::vector<bool> seen(65536, false);
    for (uint16_t v : values)
        seen[v] = true;
    std::vector<uint16_t> used;
    for (size_t v = 0; v < seen.size(); ++v)
        if (seen[v])
            used.push_back(uint16_t(v));
    return used;
}

/// Maps each used value through `idOf` (nullopt: not a class) and fills the map, or returns
/// the values that failed.
template <typename IdOf>
std::set<uint16_t> mapValues(const MapPixels& pixels, const std::vector<uint16_t>& used, IdOf idOf,
                             LabelMap& map)
{
    std::vector<int16_t> table(65536, -1);
    std::set<uint16_t> failed;
    for (uint16_t v : used) {
        if (const std::optional<uint8_t> id = idOf(v))
            table[v] = *id;
        else
            failed.insert(v);
    }
    if (!failed.empty())
        return failed;
    map.ids.resize(pixels.values.size());
    for (size_t i = 0; i < pixels.values.size(); ++i)
        map.ids[i] = uint8_t(table[pixels.values[i]]);
    return {};
}

Error unknownIds(const std::string& path, const std::set<uint16_t>& ids, const Palette& palette)
{
    std::string known = "ids 0..255";
    if (!palette.ids.empty()) {
        const bool contiguous =
            *palette.ids.rbegin() - *palette.ids.begin() + 1 == int(palette.ids.size());
        known = std::to_string(palette.ids.size()) + " classes, ids " +
                std::to_string(*palette.ids.begin()) + (contiguous ? ".." : " to ") +
                std::to_string(*palette.ids.rbegin());
    }
    return makeError(ErrorCode::InvalidFile,
                     path + " uses class id(s) " +
                         listOf(ids, [](uint16_t id) { return std::to_string(id); }) +
                         " that this model does not have (it has " + known + ")");
}

} // namespace

Result<LabelMap> labelMapFromPixels(const std::string& path, const MapPixels& pixels,
                                    const std::vector<ClassInfo>& classes)
{
    auto palette = paletteOf(classes);
    if (!palette)
        return palette.error();
    LabelMap map;
    map.width = pixels.width;
    map.height = pixels.height;
    const auto asId = [&](uint16_t v) -> std::optional<uint8_t> {
        if (v > 255 || (!palette->ids.empty() && palette->ids.count(v) == 0))
            return std::nullopt;
        return uint8_t(v);
    };
    const auto byColor = [&](uint32_t color) -> std::optional<uint8_t> {
        auto it = palette->idOfColor.find(color);
        return it == palette->idOfColor.end() ? std::nullopt : std::optional<uint8_t>(it->second);
    };
    if (pixels.kind != MapPixels::Kind::Rgb) {
        const std::vector<uint16_t> used = usedValues(pixels.values);
        const bool indexed = pixels.kind == MapPixels::Kind::Indexed;
        const auto colorOf = [&](uint16_t v) -> uint32_t {
            if (indexed)
                return v < pixels.palette.size() ? pixels.palette[v] : 0xffffffffu;
            return v <= 255 ? uint32_t(v) * 0x010101u : 0xffffffffu;
        };
        const auto viaColor = [&](uint16_t v) { return byColor(colorOf(v)); };
        // An indexed map's colours name its classes; a gray level is an id, unless the levels
        // are all gray class colours that are not ids.
        if (indexed && !palette->idOfColor.empty() &&
            mapValues(pixels, used, viaColor, map).empty())
            return map;
        const std::set<uint16_t> failed = mapValues(pixels, used, asId, map);
        if (failed.empty())
            return map;
        if (!indexed && !palette->idOfColor.empty() &&
            mapValues(pixels, used, viaColor, map).empty())
            return map;
        return unknownIds(path, failed, *palette);
    }

    std::set<uint32_t> unknown;
    bool allGray = true;
    map.ids.resize(size_t(pixels.width) * size_t(pixels.height));
    for (size_t i = 0; i < map.ids.size(); ++i) {
        const uint8_t* p = pixels.rgb.data() + i * 3;
        const uint32_t color = (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
        allGray = allGray && p[0] == p[1] && p[1] == p[2];
        if (const auto id = byColor(color))
            map.ids[i] = *id;
        else
            unknown.insert(color);
    }
    if (unknown.empty())
        return map;
    if (allGray) { // a grayscale id map saved as RGB
        MapPixels gray;
        gray.kind = MapPixels::Kind::Gray;
        gray.width = pixels.width;
        gray.height = pixels.height;
        gray.values.resize(map.ids.size());
        for (size_t i = 0; i < gray.values.size(); ++i)
            gray.values[i] = pixels.rgb[i * 3];
        if (mapValues(gray, usedValues(gray.values), asId, map).empty())
            return map;
    }
    return makeError(
        ErrorCode::InvalidFile,
        path + " uses " + std::to_string(unknown.size()) +
            " colour(s) that are not classes of this model: " + listOf(unknown, hexOf) +
            (palette->idOfColor.empty()
                 ? " (the model has no palette: give a grayscale PNG of class ids)"
                 : " (paint with the model's palette, or give a grayscale PNG "
                   "whose pixel values are class ids)"));
}

} // namespace ldm
