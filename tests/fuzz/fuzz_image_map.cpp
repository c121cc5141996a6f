// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the engine's image and label-map readers (io/image_files.h): the
// header sniffing and size limits, libpng through readLabelMap and readPngText, OpenCV's
// decoders through readImage, and the class-id decoding of label_map_decode. Torch-free:
// io/image_files.cpp, io/image_file_checks.cpp, io/label_map_decode.cpp, core/regular_file.cpp,
// libpng and OpenCV (the two libraries are not instrumented; our code around them is).
//
// Input layout: one mode byte, then the file's bytes. The readers take a path (they refuse
// anything but a regular file), so each input is written to a private temporary file first.
//   mode % 5 == 0: readLabelMap with no classes (indices and gray levels are ids)
//   mode % 5 == 1: readLabelMap with a small palette (colours decide, as for a model's map)
//   mode % 5 == 2: readImage (PNG, JPEG, WebP, BMP through OpenCV)
//   mode % 5 == 3: readPngText (the A1111 `parameters` chunk and our recipe chunk)
//   mode % 5 == 4: readImageSize (header only)
//
// Build (from the repository root): see tests/fuzz/CMakeLists.txt, target fuzz_image_map.
// Seeds are in tests/fuzz/corpus/image_map; copy them to a scratch folder first:
//   mkdir -p /work/fuzz-build/corpus-image && cp tests/fuzz/corpus/image_map/* $_
//   /work/fuzz-build/bin/fuzz_image_map -max_len=8192 -dict=tests/fuzz/png.dict
//       /work/fuzz-build/corpus-image
#include "io/image_files.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

// Ids 0, 1, 2 and 7 with distinct colours; 7 leaves a gap, as real palettes do.
const std::vector<ldm::ClassInfo>& smallPalette()
{
    static const std::vector<ldm::ClassInfo> classes{
        {0, "sky", "#87ceeb"}, {1, "water", "#1e3c8c"}, {2, "grass", "#2e8b57"}, {7, "rock", "#808080"}};
    return classes;
}

const std::string& scratchFile()
{
    static const std::string path = [] {
        const char* folder = std::getenv("TMPDIR");
        return std::string(folder && *folder ? folder : "/tmp") + "/ldm_fuzz_image_map_" +
               std::to_string(::getpid()) + ".bin";
    }();
    return path;
}

void requireMessage(const ldm::Error& error)
{
    if (error.message.empty())
        std::abort(); // every refusal says why
}

void checkLabelMap(const ldm::Result<ldm::LabelMap>& map, bool withClasses)
{
    if (!map.ok())
        return requireMessage(map.error());
    if (map->empty() || map->ids.size() != size_t(map->width) * size_t(map->height))
        std::abort();
    if (!withClasses)
        return;
    for (uint8_t id : map->ids)
        if (id != 0 && id != 1 && id != 2 && id != 7)
            std::abort(); // an id the palette does not have was let through
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const std::string& path = scratchFile();
    if (FILE* file = std::fopen(path.c_str(), "wb")) {
        const bool written = std::fwrite(data + 1, 1, size - 1, file) == size - 1;
        if (std::fclose(file) != 0 || !written)
            std::abort();
    } else {
        std::abort();
    }
    switch (data[0] % 5) {
    case 0: checkLabelMap(ldm::readLabelMap(path, {}), false); break;
    case 1: checkLabelMap(ldm::readLabelMap(path, smallPalette()), true); break;
    case 2: {
        const auto image = ldm::readImage(path);
        if (!image.ok())
            requireMessage(image.error());
        else if (image->empty() || image->pixels.size() != size_t(image->width) *
                                                               size_t(image->height) * 3 ||
                 int64_t(image->width) * image->height > ldm::MaxImagePixels)
            std::abort();
        break;
    }
    case 3: {
        const auto text = ldm::readPngText(path);
        if (!text.ok())
            requireMessage(text.error());
        break;
    }
    default: {
        const auto imageSize = ldm::readImageSize(path);
        if (!imageSize.ok())
            requireMessage(imageSize.error());
        else if (imageSize->width <= 0 || imageSize->height <= 0 ||
                 int64_t(imageSize->width) * imageSize->height > ldm::MaxImagePixels)
            std::abort();
        break;
    }
    }
    return 0;
}
