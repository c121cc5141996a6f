// SPDX-License-Identifier: GPL-3.0-or-later
// The file-system half of image_files: opening only regular files, replacing only regular
// files, and reading an image's size from its header. Split out so the checks that make
// hostile paths and headers harmless stay small enough to review on their own.
#pragma once

#include "io/image_files.h"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ldm::file_checks {

/// A FILE that closes itself.
using FilePtr = std::unique_ptr<FILE, int (*)(FILE*)>;

/// `what`: the system's message for `error` (an errno value).
Error systemError(ErrorCode code, const std::string& what, int error);

/// Absent or a regular file: anything else (symbolic link, folder, device, FIFO) is refused,
/// since replacing it would follow a planted link or destroy something that is not our output.
Result<void> checkReplaceable(const std::string& path);

/// A temporary file that is removed on destruction unless `path` was cleared (after renaming).
struct TempFile
{
    std::string path;
    int fd = -1; ///< owned until handed to a FILE (then set to -1)
    ~TempFile();
};

/// Creates a fresh file beside `target` with an unpredictable name, O_EXCL|O_NOFOLLOW, so an
/// existing file or link of that name is never opened, whoever planted it.
Result<void> createTemp(const std::string& target, TempFile& temp);

/// Opens `path` for reading if it is a regular file; FIFOs and devices are refused without
/// blocking. `what` names the file in messages ("image", "map").
Result<FilePtr> openRegular(const std::string& path, const char* what);

/// The whole of a regular file of at most limits::MaxImageFileBytes.
Result<std::vector<uint8_t>> readImageBytes(const std::string& path);

/// The size in a PNG, JPEG, WebP or BMP header, or nothing for other formats or a header cut
/// short. Reads only the header fields, never the pixels.
std::optional<ImageSize> sniffImageSize(const std::vector<uint8_t>& bytes);

/// Reads `count` bytes at `offset` into `out`; false when the file holds fewer.
using ReadAt = std::function<bool(uint64_t offset, uint8_t* out, size_t count)>;

/// For a PNG (by its signature) of `fileSize` bytes: walks the chunk headers (8 bytes each,
/// never the data) and refuses a chunk whose length runs past the end of the file, or a chunk
/// other than IDAT longer than limits::MaxPngChunkBytes. libpng allocates a chunk's declared
/// length before reading it, so a 200-byte file could otherwise cost gigabytes. Other formats
/// and PNGs cut short before a chunk header pass (the decoder reports those).
Result<void> checkPngChunks(const std::string& path, const ReadAt& readAt, uint64_t fileSize);

/// `size` if it is within the limits of core/input_limits.h, else InvalidRequest saying which.
Result<ImageSize> checkImageSize(const std::string& path, ImageSize size);

} // namespace ldm::file_checks
