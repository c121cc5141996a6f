// SPDX-License-Identifier: GPL-3.0-or-later
// What the pixels of a label-map file mean. A map arrives in one of three forms, and each is
// read the way the people who make them mean it:
//  - an indexed PNG: its palette colours are the classes' colours (ours: colour at index = id;
//    other painting tools reorder palettes, so the colours decide, not the indices);
//  - an 8-bit grayscale PNG: the pixel value is the class id (the COCO-Stuff / sflckr
//    segmentations the CompVis semantic-synthesis models were trained on);
//  - an RGB image painted in the palette's colours (a grayscale map saved as RGB also works).
// Ids the model does not have are an error that names them.
#pragma once

#include "ldm/engine.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ldm {

/// The decoded pixels of a map file, before they are given a meaning.
struct MapPixels
{
    enum class Kind { Indexed, Gray, Rgb };
    Kind kind = Kind::Rgb;
    int width = 0;
    int height = 0;
    std::vector<uint16_t> values;  ///< Indexed: palette index; Gray: gray level (8 or 16 bit)
    std::vector<uint32_t> palette; ///< Indexed: 0xRRGGBB of each index
    std::vector<uint8_t> rgb;      ///< Rgb: 3 bytes per pixel
};

/// Class ids of every pixel. `classes` empty: indices and gray levels are taken as ids as they
/// are (0..255), RGB needs a palette. `path` names the file in messages.
Result<LabelMap> labelMapFromPixels(const std::string& path, const MapPixels& pixels,
                                    const std::vector<ClassInfo>& classes);

} // namespace ldm
