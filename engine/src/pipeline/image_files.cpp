// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/image_files.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

namespace ldm {
namespace {

using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

std::string tempPathFor(const std::string& path)
{
    return path + ".tmp-" + std::to_string(std::hash<std::string>{}(path) % 100000);
}

Result<void> commit(const std::string& temp, const std::string& path)
{
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        return makeError(ErrorCode::InvalidRequest, "cannot write " + path + ": " + ec.message());
    }
    return {};
}

/// Writes a PNG with libpng; `palette` non-empty makes it indexed (1 byte per pixel).
Result<void> writePngRaw(const std::string& path, int width, int height, const uint8_t* pixels,
                         int channels, const std::vector<png_color>& palette,
                         const std::map<std::string, std::string>& text)
{
    const std::string temp = tempPathFor(path);
    FilePtr file(std::fopen(temp.c_str(), "wb"), &std::fclose);
    if (!file)
        return makeError(ErrorCode::InvalidRequest, "cannot create " + path);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        file.reset();
        std::filesystem::remove(temp);
        return makeError(ErrorCode::Internal, "PNG encoder failed for " + path);
    }
    png_init_io(png, file.get());
    const int colorType = palette.empty() ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_PALETTE;
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8, colorType,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!palette.empty())
        png_set_PLTE(png, info, palette.data(), int(palette.size()));
    std::vector<png_text> chunks;
    for (const auto& [key, value] : text) {
        png_text chunk{};
        bool ascii = true;
        for (unsigned char c : value)
            ascii = ascii && c < 128;
        chunk.compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
        chunk.key = const_cast<char*>(key.c_str());
        chunk.text = const_cast<char*>(value.c_str());
        chunk.text_length = ascii ? value.size() : 0;
        chunk.itxt_length = ascii ? 0 : value.size();
        chunks.push_back(chunk);
    }
    if (!chunks.empty())
        png_set_text(png, info, chunks.data(), int(chunks.size()));
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, pixels + size_t(y) * size_t(width) * size_t(channels));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    if (std::fflush(file.get()) != 0)
        return makeError(ErrorCode::InvalidRequest, "cannot write " + path + " (disk full?)");
    file.reset();
    return commit(temp, path);
}

struct PngReader {
    FilePtr file{nullptr, &std::fclose};
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngReader() { png_destroy_read_struct(&png, &info, nullptr); }
};

} // namespace

Result<void> writePng(const std::string& path, const RgbImage& image,
                      const std::map<std::string, std::string>& text)
{
    if (image.empty() || image.pixels.size() != size_t(image.width) * size_t(image.height) * 3)
        return makeError(ErrorCode::InvalidRequest, "no image to write");
    return writePngRaw(path, image.width, image.height, image.pixels.data(), 3, {}, text);
}

Result<std::map<std::string, std::string>> readPngText(const std::string& path)
{
    PngReader reader;
    reader.file.reset(std::fopen(path.c_str(), "rb"));
    if (!reader.file)
        return makeError(ErrorCode::InvalidFile, "cannot open " + path);
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    reader.info = png_create_info_struct(reader.png);
    if (setjmp(png_jmpbuf(reader.png)))
        return makeError(ErrorCode::InvalidFile, path + " is not a readable PNG");
    png_init_io(reader.png, reader.file.get());
    png_read_info(reader.png, reader.info);
    std::map<std::string, std::string> out;
    png_textp chunks = nullptr;
    int count = 0;
    png_get_text(reader.png, reader.info, &chunks, &count);
    for (int i = 0; i < count; ++i)
        out[chunks[i].key] = std::string(chunks[i].text, chunks[i].text_length ? chunks[i].text_length
                                                                               : chunks[i].itxt_length);
    return out;
}

Result<RgbImage> readImage(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return makeError(ErrorCode::InvalidFile, "no such image file: " + path);
    // Decoding a forged header could allocate gigabytes: check the size first.
    cv::Mat header;
    try {
        header = cv::imread(path, cv::IMREAD_REDUCED_COLOR_8);
    } catch (const cv::Exception&) {
    }
    if (header.empty())
        return makeError(ErrorCode::InvalidFile, path + " is not an image OpenCV can read");
    if (int64_t(header.cols) * 8 * int64_t(header.rows) * 8 > MaxImagePixels * 2)
        return makeError(ErrorCode::InvalidRequest, path + " is too large (over 64 megapixels)");
    cv::Mat bgr;
    try {
        bgr = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception& error) {
        return makeError(ErrorCode::InvalidFile, path + ": " + error.what());
    }
    if (bgr.empty())
        return makeError(ErrorCode::InvalidFile, path + " could not be decoded");
    if (int64_t(bgr.cols) * bgr.rows > MaxImagePixels)
        return makeError(ErrorCode::InvalidRequest, path + " is too large (over 64 megapixels)");
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    RgbImage image;
    image.width = rgb.cols;
    image.height = rgb.rows;
    image.pixels.assign(rgb.data, rgb.data + rgb.total() * 3);
    return image;
}

Result<void> writeLabelMap(const std::string& path, const LabelMap& map,
                           const std::vector<ClassInfo>& classes)
{
    std::vector<png_color> palette;
    for (const auto& c : classes) {
        const unsigned value = unsigned(std::stoul(c.color.substr(1), nullptr, 16));
        palette.push_back(png_color{png_byte(value >> 16), png_byte(value >> 8), png_byte(value)});
    }
    if (palette.empty())
        palette.push_back(png_color{0, 0, 0});
    return writePngRaw(path, map.width, map.height, map.ids.data(), 1, palette, {});
}

Result<LabelMap> readLabelMap(const std::string& path, const std::vector<ClassInfo>& classes)
{
    PngReader reader;
    reader.file.reset(std::fopen(path.c_str(), "rb"));
    if (!reader.file)
        return makeError(ErrorCode::InvalidFile, "cannot open map " + path);
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    reader.info = png_create_info_struct(reader.png);
    if (setjmp(png_jmpbuf(reader.png)))
        return makeError(ErrorCode::InvalidFile, path + " is not a readable PNG map");
    png_init_io(reader.png, reader.file.get());
    png_read_info(reader.png, reader.info);
    const int width = int(png_get_image_width(reader.png, reader.info));
    const int height = int(png_get_image_height(reader.png, reader.info));
    if (int64_t(width) * height > MaxImagePixels)
        return makeError(ErrorCode::InvalidRequest, path + " is too large");
    const int colorType = png_get_color_type(reader.png, reader.info);
    const bool indexed = colorType == PNG_COLOR_TYPE_PALETTE;
    if (indexed) {
        png_set_packing(reader.png); // 1/2/4-bit indices → one byte each
    } else {
        png_set_expand(reader.png);
        png_set_strip_16(reader.png);
        png_set_strip_alpha(reader.png);
        png_set_gray_to_rgb(reader.png);
    }
    png_read_update_info(reader.png, reader.info);
    const size_t rowBytes = png_get_rowbytes(reader.png, reader.info);
    std::vector<uint8_t> rows(rowBytes * size_t(height));
    for (int y = 0; y < height; ++y)
        png_read_row(reader.png, rows.data() + rowBytes * size_t(y), nullptr);
    LabelMap map;
    map.width = width;
    map.height = height;
    map.ids.resize(size_t(width) * size_t(height));
    if (indexed) {
        std::copy(rows.begin(), rows.begin() + std::ptrdiff_t(map.ids.size()), map.ids.begin());
        return map;
    }
    std::map<uint32_t, uint8_t> lookup;
    for (const auto& c : classes)
        lookup[uint32_t(std::stoul(c.color.substr(1), nullptr, 16))] = uint8_t(c.id);
    std::set<uint32_t> unknown;
    for (size_t i = 0; i < map.ids.size(); ++i) {
        const uint8_t* p = rows.data() + i * 3;
        const uint32_t color = (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
        auto it = lookup.find(color);
        if (it == lookup.end())
            unknown.insert(color);
        else
            map.ids[i] = it->second;
    }
    if (!unknown.empty()) {
        std::string list;
        int shown = 0;
        for (uint32_t color : unknown) {
            if (shown++ == 8) {
                list += ", ...";
                break;
            }
            char hex[16];
            std::snprintf(hex, sizeof hex, "%s#%06x", list.empty() ? "" : ", ", color);
            list += hex;
        }
        return makeError(ErrorCode::InvalidFile,
                         path + " uses " + std::to_string(unknown.size()) +
                             " colour(s) that are not classes of this model: " + list);
    }
    return map;
}

} // namespace ldm
