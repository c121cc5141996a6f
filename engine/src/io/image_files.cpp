// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/image_files.h"
#include "io/image_file_checks.h"
#include "io/label_map_decode.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm {
namespace {

using namespace file_checks;

// libpng's default handlers print to stderr ("libpng error: ..."); our errors carry the
// message instead, so failures stay silent here and end in the setjmp of the caller.
void pngError(png_structp png, png_const_charp)
{
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

struct PngText
{
    std::vector<png_text> chunks; // points into the caller's strings
};

PngText textChunks(const std::map<std::string, std::string>& text)
{
    PngText out;
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
        out.chunks.push_back(chunk);
    }
    return out;
}

// Only C calls after setjmp: a longjmp must not skip C++ destructors.
bool encodePng(FILE* file, int width, int height, const uint8_t* pixels, int channels,
               const std::vector<png_color>& palette, PngText& text)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, pngError, pngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_init_io(png, file);
    png_set_IHDR(png, info, png_uint_32(width), png_uint_32(height), 8,
                 palette.empty() ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (!palette.empty())
        png_set_PLTE(png, info, palette.data(), int(palette.size()));
    if (!text.chunks.empty())
        png_set_text(png, info, text.chunks.data(), int(text.chunks.size()));
    png_write_info(png, info);
    for (int y = 0; y < height; ++y)
        png_write_row(png, pixels + size_t(y) * size_t(width) * size_t(channels));
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return true;
}

/// Writes a PNG with libpng; `palette` non-empty makes it indexed (1 byte per pixel).
Result<void> writePngRaw(const std::string& path, int width, int height, const uint8_t* pixels,
                         int channels, const std::vector<png_color>& palette,
                         const std::map<std::string, std::string>& text)
{
    if (auto ok = checkReplaceable(path); !ok)
        return ok;
    TempFile temp;
    if (auto created = createTemp(path, temp); !created)
        return created;
    FilePtr file(::fdopen(temp.fd, "wb"), &std::fclose);
    if (!file)
        return systemError(ErrorCode::InvalidRequest, "cannot write " + path, errno);
    temp.fd = -1; // the FILE owns it now
    PngText chunks = textChunks(text);
    errno = 0;
    const bool encoded = encodePng(file.get(), width, height, pixels, channels, palette, chunks);
    int error = encoded ? 0 : errno; // libpng's "Write Error" leaves fwrite's errno (ENOSPC, ...)
    if (encoded && (std::fflush(file.get()) != 0 || ::fsync(::fileno(file.get())) != 0))
        error = errno;
    if (std::fclose(file.release()) != 0 && error == 0)
        error = errno;
    if (error != 0)
        return systemError(ErrorCode::InvalidRequest, "cannot write " + path, error);
    if (!encoded)
        return makeError(ErrorCode::Internal, "PNG encoder failed for " + path);
    // Checked again: the target may have changed while the image was encoded.
    if (auto ok = checkReplaceable(path); !ok)
        return ok;
    if (std::rename(temp.path.c_str(), path.c_str()) != 0)
        return systemError(ErrorCode::InvalidRequest, "cannot write " + path, errno);
    temp.path.clear(); // renamed: nothing to remove
    // Make the rename itself durable (best effort: some file systems refuse a folder fsync).
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const int folder =
        ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
    return {};
}

std::optional<uint32_t> parseColor(const std::string& text)
{
    if (text.size() != 7 || text[0] != '#')
        return std::nullopt;
    uint32_t value = 0;
    for (size_t i = 1; i < 7; ++i) {
        const char c = text[i];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0)
            return std::nullopt;
        value = value * 16 + uint32_t(digit);
    }
    return value;
}

Result<ImageSize> sizeOf(const std::string& path, const std::vector<uint8_t>& bytes)
{
    const auto size = sniffImageSize(bytes);
    if (!size)
        return makeError(ErrorCode::InvalidFile,
                         path + " is not an image we can read (PNG, JPEG, WebP or BMP)");
    return checkImageSize(path, *size);
}

struct PngReader
{
    FilePtr file{nullptr, &std::fclose};
    png_structp png = nullptr;
    png_infop info = nullptr;
    ~PngReader() { png_destroy_read_struct(&png, &info, nullptr); }
};

Result<void> openPng(PngReader& reader, const std::string& path, const char* what)
{
    auto file = openRegular(path, what);
    if (!file)
        return file.error();
    reader.file = std::move(file.value());
    const int fd = ::fileno(reader.file.get());
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0)
        return systemError(ErrorCode::InvalidFile, "cannot read " + path, errno);
    const auto readAt = [fd](uint64_t offset, uint8_t* out, size_t count) {
        return ::pread(fd, out, count, off_t(offset)) == ssize_t(count);
    };
    if (auto chunks = checkPngChunks(path, readAt, uint64_t(info.st_size)); !chunks)
        return chunks.error();
    reader.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, pngError, pngWarning);
    reader.info = reader.png ? png_create_info_struct(reader.png) : nullptr;
    if (!reader.info)
        return makeError(ErrorCode::OutOfMemory, "cannot read " + path + ": out of memory");
    // libpng's own guard, should a header slip past ours.
    png_set_user_limits(reader.png, limits::MaxImageSide, limits::MaxImageSide);
    // A chunk's length is trusted by libpng before its data is read: bound what it allocates.
    png_set_chunk_malloc_max(reader.png, limits::MaxPngChunkBytes);
    png_set_chunk_cache_max(reader.png, limits::MaxPngAncillaryChunks);
    png_init_io(reader.png, reader.file.get());
    return {};
}

// The setjmp helpers hold no C++ objects, so libpng's longjmp on a corrupt file skips no
// destructor.
bool readPngInfo(PngReader& reader)
{
    if (setjmp(png_jmpbuf(reader.png)))
        return false;
    png_read_info(reader.png, reader.info);
    return true;
}

// Reads all rows into `rows` (allocated by the caller for `rowBytes` each): for a map kept as
// values (indexed or gray), one value per pixel (two bytes for 16-bit gray); RGB otherwise.
bool readPngRows(PngReader& reader, bool asValues, png_bytep* rows, size_t rowBytes)
{
    if (setjmp(png_jmpbuf(reader.png)))
        return false;
    if (asValues) {
        png_set_packing(reader.png);     // 1/2/4-bit indices or levels → one byte each, unscaled
        png_set_strip_alpha(reader.png); // gray + alpha: the level is the id
    } else {
        png_set_expand(reader.png);
        png_set_strip_16(reader.png);
        png_set_strip_alpha(reader.png);
        png_set_gray_to_rgb(reader.png);
    }
    // Without this an Adam7 map's passes land on top of each other, silently wrong.
    png_set_interlace_handling(reader.png);
    png_read_update_info(reader.png, reader.info);
    if (png_get_rowbytes(reader.png, reader.info) != rowBytes)
        return false;
    png_read_image(reader.png, rows);
    return true;
}

} // namespace

Result<void> checkOutputFile(const std::string& path)
{
    if (auto ok = checkReplaceable(path); !ok)
        return ok;
    TempFile probe; // created and removed again: the only honest test that the folder takes it
    return createTemp(path, probe);
}

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
    if (auto ok = openPng(reader, path, "PNG"); !ok)
        return ok.error();
    if (!readPngInfo(reader))
        return makeError(ErrorCode::InvalidFile, path + " is not a readable PNG");
    std::map<std::string, std::string> out;
    png_textp chunks = nullptr;
    int count = 0;
    png_get_text(reader.png, reader.info, &chunks, &count);
    for (int i = 0; i < count; ++i)
        out[chunks[i].key] = std::string(
            chunks[i].text, chunks[i].text_length ? chunks[i].text_length : chunks[i].itxt_length);
    return out;
}

Result<ImageSize> readImageSize(const std::string& path)
{
    auto file = openRegular(path, "image");
    if (!file)
        return file.error();
    // Enough for the headers we read, unless a JPEG's frame header follows over a megabyte of
    // metadata: then the whole file (still bounded by MaxImageFileBytes).
    std::vector<uint8_t> head(1 << 20);
    head.resize(std::fread(head.data(), 1, head.size(), file->get()));
    if (sniffImageSize(head) || head.size() < (1u << 20))
        return sizeOf(path, head);
    auto bytes = readImageBytes(path);
    if (!bytes)
        return bytes.error();
    return sizeOf(path, *bytes);
}

Result<RgbImage> readImage(const std::string& path)
{
    auto bytes = readImageBytes(path);
    if (!bytes)
        return bytes.error();
    auto size = sizeOf(path, *bytes);
    if (!size)
        return size.error();
    const auto readAt = [&bytes](uint64_t offset, uint8_t* out, size_t count) {
        if (offset > bytes->size() || bytes->size() - offset < count)
            return false;
        std::memcpy(out, bytes->data() + offset, count);
        return true;
    };
    if (auto chunks = checkPngChunks(path, readAt, bytes->size()); !chunks)
        return chunks.error();
    cv::Mat bgr;
    try {
        bgr = cv::imdecode(*bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& error) {
        return makeError(ErrorCode::InvalidFile, path + " could not be decoded: " + error.msg);
    }
    if (bgr.empty())
        return makeError(ErrorCode::InvalidFile,
                         path + " could not be decoded (corrupt or truncated?)");
    *bytes = {}; // free the file before the RGB copy: lower peak memory
    // The decoder may have rotated by EXIF orientation, so the checked sizes may be swapped.
    if (auto ok = checkImageSize(path, {bgr.cols, bgr.rows}); !ok)
        return ok.error();
    RgbImage image;
    image.width = bgr.cols;
    image.height = bgr.rows;
    image.pixels.resize(size_t(bgr.cols) * size_t(bgr.rows) * 3);
    cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, image.pixels.data()); // converts in place, no copy
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return image;
}

Result<void> writeLabelMap(const std::string& path, const LabelMap& map,
                           const std::vector<ClassInfo>& classes)
{
    // Each class colour sits at its id, so any viewer shows the map in the palette's colours
    // and the indices are the ids.
    std::vector<png_color> palette(1, png_color{0, 0, 0});
    for (const auto& c : classes) {
        const auto value = parseColor(c.color);
        if (!value || c.id < 0 || c.id > 255)
            return makeError(ErrorCode::InvalidRequest,
                             "class " + std::to_string(c.id) + " has colour '" +
                                 c.color.substr(0, 20) + "', not #rrggbb, or an id beyond 255");
        if (size_t(c.id) >= palette.size())
            palette.resize(size_t(c.id) + 1, png_color{0, 0, 0});
        palette[size_t(c.id)] =
            png_color{png_byte(*value >> 16), png_byte(*value >> 8), png_byte(*value)};
    }
    if (map.empty() || map.ids.size() != size_t(map.width) * size_t(map.height))
        return makeError(ErrorCode::InvalidRequest, "no label map to write");
    return writePngRaw(path, map.width, map.height, map.ids.data(), 1, palette, {});
}

Result<LabelMap> readLabelMap(const std::string& path, const std::vector<ClassInfo>& classes)
{
    PngReader reader;
    if (auto ok = openPng(reader, path, "map"); !ok)
        return ok.error();
    if (!readPngInfo(reader))
        return makeError(ErrorCode::InvalidFile, path + " is not a readable PNG map");
    auto size = checkImageSize(path, {int(png_get_image_width(reader.png, reader.info)),
                                      int(png_get_image_height(reader.png, reader.info))});
    if (!size)
        return size.error();
    MapPixels pixels;
    pixels.width = size->width;
    pixels.height = size->height;
    const int colorType = png_get_color_type(reader.png, reader.info);
    const bool wideGray = png_get_bit_depth(reader.png, reader.info) == 16;
    pixels.kind = colorType == PNG_COLOR_TYPE_PALETTE ? MapPixels::Kind::Indexed
                  : colorType == PNG_COLOR_TYPE_GRAY || colorType == PNG_COLOR_TYPE_GRAY_ALPHA
                      ? MapPixels::Kind::Gray
                      : MapPixels::Kind::Rgb;
    if (pixels.kind == MapPixels::Kind::Indexed) {
        png_colorp entries = nullptr;
        int count = 0;
        png_get_PLTE(reader.png, reader.info, &entries, &count);
        for (int i = 0; i < count; ++i)
            pixels.palette.push_back((uint32_t(entries[i].red) << 16) |
                                     (uint32_t(entries[i].green) << 8) | entries[i].blue);
    }
    const bool asValues = pixels.kind != MapPixels::Kind::Rgb;
    const size_t bytesPerPixel = !asValues ? 3 : pixels.kind == MapPixels::Kind::Gray && wideGray ? 2 : 1;
    const size_t rowBytes = size_t(pixels.width) * bytesPerPixel;
    std::vector<uint8_t> rows(rowBytes * size_t(pixels.height));
    std::vector<png_bytep> rowPointers(static_cast<size_t>(pixels.height));
    for (int y = 0; y < pixels.height; ++y)
        rowPointers[size_t(y)] = rows.data() + rowBytes * size_t(y);
    if (!readPngRows(reader, asValues, rowPointers.data(), rowBytes))
        return makeError(ErrorCode::InvalidFile, path + " is not a readable PNG map");
    if (!asValues) {
        pixels.rgb = std::move(rows);
    } else {
        pixels.values.resize(size_t(pixels.width) * size_t(pixels.height));
        for (size_t i = 0; i < pixels.values.size(); ++i)
            pixels.values[i] = bytesPerPixel == 2 ? uint16_t((rows[2 * i] << 8) | rows[2 * i + 1])
                                                  : rows[i];
    }
    return labelMapFromPixels(path, pixels, classes);
}

} // namespace ldm
