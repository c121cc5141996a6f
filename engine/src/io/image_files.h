// SPDX-License-Identifier: GPL-3.0-or-later
// Image files for the CLI and the engine's tests: PNG with text chunks (the A1111
// `parameters` chunk and our JSON recipe), label maps as indexed PNG, and photos as PNG, JPEG,
// WebP or BMP.
//
// Every file read may be hostile: only regular files are opened (a FIFO would block, a device
// could be endless), and sizes come from the header and are checked against
// core/input_limits.h BEFORE anything is decoded. Writes never follow or replace anything but a
// regular file: they go to a fresh temporary file beside the target (O_EXCL, O_NOFOLLOW), are
// synced, then renamed over it, so a failure leaves the old file and no temporary behind.
#pragma once

#include "core/input_limits.h"
#include "ldm/engine.h"

#include <map>
#include <string>

namespace ldm {

/// Largest image accepted from a file, in pixels (see core/input_limits.h).
constexpr int64_t MaxImagePixels = limits::MaxImagePixels;

/// Width and height from an image file's header, read without decoding the pixels.
struct ImageSize
{
    int width = 0;
    int height = 0;
};

/// Checks that `path` can be written by writePng() before expensive work produces the image:
/// the folder exists and takes a new file, and `path` is absent or a regular file (not a
/// symbolic link, folder, device or FIFO). Errors are InvalidRequest with the system's reason.
Result<void> checkOutputFile(const std::string& path);

/// Writes an RGB PNG with tEXt chunks (key → text; UTF-8 text goes into iTXt). Atomic; refuses
/// to replace anything that checkOutputFile() refuses.
Result<void> writePng(const std::string& path, const RgbImage& image,
                      const std::map<std::string, std::string>& text = {});
/// Reads the text chunks of a PNG.
Result<std::map<std::string, std::string>> readPngText(const std::string& path);
/// Reads the size of a PNG, JPEG, WebP or BMP from its header and checks it against the limits
/// (at least MinImageSide, at most MaxImageSide and MaxImagePixels); decodes nothing.
Result<ImageSize> readImageSize(const std::string& path);
/// Reads a PNG, JPEG, WebP or BMP as RGB. The size is checked as readImageSize() does before
/// decoding, so a forged header costs an error, not gigabytes.
Result<RgbImage> readImage(const std::string& path);

/// Writes class ids as an indexed PNG whose palette holds each class colour ("#rrggbb"; any
/// other spelling is an InvalidRequest error) at the class id, so the indices are the ids.
Result<void> writeLabelMap(const std::string& path, const LabelMap& map,
                           const std::vector<ClassInfo>& classes);
/// Reads a label map (interlaced or not), as io/label_map_decode.h explains: an indexed
/// PNG by its palette colours (else its indices as ids), a grayscale PNG's values as class ids,
/// an RGB PNG colour → class through `classes`. Colours or ids that are not classes are an
/// error that lists them. The size limits of readImageSize() apply.
Result<LabelMap> readLabelMap(const std::string& path, const std::vector<ClassInfo>& classes);

} // namespace ldm
