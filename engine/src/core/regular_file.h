// SPDX-License-Identifier: GPL-3.0-or-later
// The one way every reader opens a file it was given: checkpoints, configs, tokenizers, images,
// maps, archives. Only regular files are read. Opening a FIFO for reading waits for a writer
// (a hang), a device such as /dev/zero never ends and a folder is no file, so each is refused
// with "'x' is not a regular file (a FIFO)" before a byte is read. The open uses O_NONBLOCK and
// the check is made on the opened descriptor (fstat), so nothing can be swapped in between.
//
// Plain C++17 and POSIX (no LibTorch, no Qt): the torch-free prompt library and the Qt bridge
// use it too.
//
// Usage:
//     auto fd = files::openRegular(path, "checkpoint");      // Result<files::FileDescriptor>
//     if (!fd) return fd.error();
//     auto text = files::readRegular(path, 4 << 20, "config"); // Result<std::string>, bounded
//     auto inside = files::confinedFile(folder, name, "tokenizer"); // a name from metadata
#pragma once

#include "ldm/result.h"

#include <cstdint>
#include <string>

namespace ldm::files {

/// An open file descriptor that closes itself; move-only.
class FileDescriptor
{
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd)
        : m_fd(fd)
    {
    }
    FileDescriptor(FileDescriptor&& other) noexcept
        : m_fd(other.release())
    {
    }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();

    /// The descriptor, -1 when none.
    int get() const { return m_fd; }
    /// Gives up ownership: the caller closes the returned descriptor.
    int release();

private:
    int m_fd = -1;
};

/// Opens `path` for reading when it is a regular file (symbolic links are followed to their
/// target, which must be one). A FIFO, device, socket or folder is refused at once, without
/// blocking. `what` names the file in messages ("checkpoint", "config"); may be empty.
/// Errors are InvalidFile: "checkpoint 'x' is not a regular file (a FIFO)", or the system's
/// reason ("No such file or directory").
Result<FileDescriptor> openRegular(const std::string& path, const std::string& what = {});

/// Whether `path` is a regular file, by stat() (which never blocks); for readers that hand the
/// path to a library that opens it itself. Same messages as openRegular().
Result<void> checkRegular(const std::string& path, const std::string& what = {});

/// The whole of the regular file `path`, refused when larger than `maxBytes` (the size is
/// checked before anything is allocated).
Result<std::string> readRegular(const std::string& path, int64_t maxBytes,
                                const std::string& what = {});

/// The path of `name`, a file named inside another file (a checkpoint's metadata), kept inside
/// `folder`: an absolute name, a `..` component, or a symbolic link that leads out of the
/// folder is refused, and the file must be a regular one. Errors are InvalidFile.
Result<std::string> confinedFile(const std::string& folder, const std::string& name,
                                 const std::string& what);

} // namespace ldm::files
