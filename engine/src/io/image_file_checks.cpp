// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/image_file_checks.h"

#include "core/regular_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm::file_checks {
namespace {

uint32_t be(const uint8_t* p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

uint32_t le(const uint8_t* p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

} // namespace

Error systemError(ErrorCode code, const std::string& what, int error)
{
    return makeError(code, what + ": " + std::strerror(error));
}

// lstat, not stat: a symbolic link at the target is refused rather than followed, so a
// planted link cannot redirect the write to another file.
Result<void> checkReplaceable(const std::string& path)
{
    struct stat info
    {
    };
    if (::lstat(path.c_str(), &info) != 0)
        return errno == ENOENT
                   ? Result<void>()
                   : systemError(ErrorCode::InvalidRequest, "cannot write " + path, errno);
    if (S_ISLNK(info.st_mode))
        return makeError(
            ErrorCode::InvalidRequest,
            "refusing to write " + path +
                ": it is a symbolic link (give the real file's path, or remove the link)");
    if (!S_ISREG(info.st_mode))
        return makeError(ErrorCode::InvalidRequest,
                         "refusing to write " + path + ": it exists and is not a regular file " +
                             (S_ISDIR(info.st_mode) ? "(a folder)" : "(a device, FIFO or socket)"));
    return {};
}

// Removes the temporary file on every path that does not end in a successful rename.
TempFile::~TempFile()
{
    if (fd >= 0)
        ::close(fd);
    if (!path.empty())
        ::unlink(path.c_str());
}

Result<void> createTemp(const std::string& target, TempFile& temp)
{
    const std::filesystem::path targetPath(target);
    const std::string folder =
        targetPath.has_parent_path() ? targetPath.parent_path().string() : ".";
    const std::string stem = targetPath.filename().string().substr(0, 40);
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[24];
        std::snprintf(suffix, sizeof suffix, ".tmp-%08x%08x", random(), random());
        const std::string name = (std::filesystem::path(folder) / ("." + stem + suffix)).string();
        const int fd =
            ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) {
            temp.path = name;
            temp.fd = fd;
            return {};
        }
        if (errno != EEXIST)
            return systemError(ErrorCode::InvalidRequest,
                               "cannot create a file in folder " + folder, errno);
    }
    return makeError(ErrorCode::InvalidRequest, "cannot create a temporary file in " + folder);
}

// Through the one regular-file check (core/regular_file.h): a FIFO is refused without blocking.
Result<FilePtr> openRegular(const std::string& path, const char* what)
{
    auto fd = files::openRegular(path, what);
    if (!fd)
        return fd.error();
    FilePtr file(::fdopen(fd->get(), "rb"), &std::fclose);
    if (!file)
        return systemError(ErrorCode::InvalidFile, std::string("cannot open ") + what + " " + path,
                           errno);
    fd->release(); // the FILE owns it now
    return file;
}

Result<std::vector<uint8_t>> readImageBytes(const std::string& path)
{
    auto file = openRegular(path, "image");
    if (!file)
        return file.error();
    struct stat info
    {
    };
    ::fstat(::fileno(file->get()), &info);
    if (info.st_size > limits::MaxImageFileBytes)
        return makeError(ErrorCode::InvalidRequest,
                         path + " is too large (" + std::to_string(info.st_size >> 20) +
                             " MB; image files up to " +
                             std::to_string(limits::MaxImageFileBytes >> 20) + " MB are read)");
    std::vector<uint8_t> bytes(size_t(info.st_size));
    if (std::fread(bytes.data(), 1, bytes.size(), file->get()) != bytes.size())
        return makeError(ErrorCode::InvalidFile,
                         "cannot read " + path + " (it changed while read?)");
    return bytes;
}

// The size a decoder would allocate for, from the header alone, for the formats we accept.
Result<void> checkPngChunks(const std::string& path, const ReadAt& readAt, uint64_t fileSize)
{
    uint8_t header[8];
    if (!readAt(0, header, 8) || std::memcmp(header, "\x89PNG\r\n\x1a\n", 8) != 0)
        return {};
    // A real PNG has at most a few thousand chunks (IDAT split in 8-64 KB pieces).
    constexpr int MaxChunks = 1 << 20;
    uint64_t offset = 8;
    for (int count = 0; count < MaxChunks && readAt(offset, header, 8); ++count) {
        const uint64_t length = be(header, 4);
        const std::string type(reinterpret_cast<const char*>(header + 4), 4);
        const std::string name = std::all_of(type.begin(), type.end(),
                                             [](char c) { return std::isalpha(uint8_t(c)); })
                                     ? type
                                     : std::string("?");
        if (offset + 12 + length > fileSize)
            return makeError(ErrorCode::InvalidFile,
                             path + " is not a readable PNG: its " + name + " chunk claims " +
                                 std::to_string(length) + " bytes, but the file ends " +
                                 std::to_string(fileSize - std::min(fileSize, offset + 8)) +
                                 " bytes after its header");
        if (type != "IDAT" && length > limits::MaxPngChunkBytes)
            return makeError(ErrorCode::InvalidFile,
                             path + " holds a " + name + " chunk of " + std::to_string(length) +
                                 " bytes; a PNG chunk other than pixel data may hold at most " +
                                 std::to_string(limits::MaxPngChunkBytes >> 20) + " MB");
        if (type == "IEND")
            return {};
        offset += 12 + length;
    }
    return {};
}

std::optional<ImageSize> sniffImageSize(const std::vector<uint8_t>& b)
{
    const size_t n = b.size();
    if (n >= 24 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0 &&
        std::memcmp(b.data() + 12, "IHDR", 4) == 0)
        return ImageSize{int(std::min<uint32_t>(be(&b[16], 4), INT32_MAX)),
                         int(std::min<uint32_t>(be(&b[20], 4), INT32_MAX))};
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xD8) { // JPEG: walk the markers to the frame header
        size_t p = 2;
        while (p + 4 <= n) {
            if (b[p] != 0xFF)
                return std::nullopt;
            const uint8_t marker = b[p + 1];
            if (marker == 0xFF || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                p += marker == 0xFF ? 1 : 2; // fill byte or a marker without a length
                continue;
            }
            const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
                               marker != 0xC8 && marker != 0xCC;
            if (frame && p + 9 <= n)
                return ImageSize{int(be(&b[p + 7], 2)), int(be(&b[p + 5], 2))};
            if (marker == 0xDA || marker == 0xD9)
                return std::nullopt; // scan data before any frame header
            p += 2 + be(&b[p + 2], 2);
        }
        return std::nullopt;
    }
    if (n >= 30 && std::memcmp(b.data(), "RIFF", 4) == 0 && std::memcmp(&b[8], "WEBP", 4) == 0) {
        const uint8_t* d = &b[20];
        if (std::memcmp(&b[12], "VP8 ", 4) == 0 && d[3] == 0x9D && d[4] == 0x01 && d[5] == 0x2A)
            return ImageSize{int(le(d + 6, 2) & 0x3FFF), int(le(d + 8, 2) & 0x3FFF)};
        if (std::memcmp(&b[12], "VP8L", 4) == 0 && d[0] == 0x2F)
            return ImageSize{int(le(d + 1, 4) & 0x3FFF) + 1,
                             int((le(d + 1, 4) >> 14) & 0x3FFF) + 1};
        if (std::memcmp(&b[12], "VP8X", 4) == 0)
            return ImageSize{int(le(d + 4, 3)) + 1, int(le(d + 7, 3)) + 1};
        return std::nullopt;
    }
    if (n >= 26 && b[0] == 'B' && b[1] == 'M') {
        if (le(&b[14], 4) == 12) // OS/2 bitmap header
            return ImageSize{int(le(&b[18], 2)), int(le(&b[20], 2))};
        const auto height = int32_t(le(&b[22], 4)); // negative: stored top-down
        return ImageSize{int(std::min<uint32_t>(le(&b[18], 4), INT32_MAX)),
                         height == INT32_MIN ? INT32_MAX : std::abs(height)};
    }
    return std::nullopt;
}

Result<ImageSize> checkImageSize(const std::string& path, ImageSize size)
{
    const std::string shown = std::to_string(size.width) + "x" + std::to_string(size.height);
    if (size.width < limits::MinImageSide || size.height < limits::MinImageSide)
        return makeError(ErrorCode::InvalidRequest,
                         path + " is too small (" + shown + ", at least " +
                             std::to_string(limits::MinImageSide) + " px)");
    if (size.width > limits::MaxImageSide || size.height > limits::MaxImageSide ||
        int64_t(size.width) * size.height > limits::MaxImagePixels)
        return makeError(ErrorCode::InvalidRequest,
                         path + " is too large (" + shown + "; at most " +
                             std::to_string(limits::MaxImageSide) + " px a side and " +
                             std::to_string(limits::MaxImagePixels >> 20) + " megapixels)");
    return size;
}

} // namespace ldm::file_checks
