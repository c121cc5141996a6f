// SPDX-License-Identifier: GPL-3.0-or-later
// Image files for the CLI and the engine's tests: PNG with text chunks (the A1111
// `parameters` chunk and our JSON recipe), label maps as indexed PNG, and photos in any format
// OpenCV reads. Writes are atomic (temporary file + rename).
#pragma once

#include "ldm/engine.h"

#include <map>
#include <string>

namespace ldm {

/// Largest image accepted from a file, in pixels (64 megapixels).
constexpr int64_t MaxImagePixels = 64ll * 1024 * 1024;

/// Writes an RGB PNG with tEXt chunks (key → text; UTF-8 text goes into iTXt).
Result<void> writePng(const std::string& path, const RgbImage& image,
                      const std::map<std::string, std::string>& text = {});
/// Reads the text chunks of a PNG.
Result<std::map<std::string, std::string>> readPngText(const std::string& path);
/// Reads any image OpenCV can decode (PNG, JPEG, WebP, ...) as RGB; refuses huge images
/// before decoding them.
Result<RgbImage> readImage(const std::string& path);

/// Writes class ids as an indexed PNG whose palette holds the class colours.
Result<void> writeLabelMap(const std::string& path, const LabelMap& map,
                           const std::vector<ClassInfo>& classes);
/// Reads a label map: an indexed PNG gives its indices; an RGB PNG is mapped colour → class
/// through `classes`, and colours not in the palette are an error that lists them.
Result<LabelMap> readLabelMap(const std::string& path, const std::vector<ClassInfo>& classes);

} // namespace ldm
