// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/regular_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm::files {
namespace {

namespace fs = std::filesystem;

std::string named(const std::string& what, const std::string& path)
{
    return (what.empty() ? std::string() : what + " ") + "'" + path + "'";
}

const char* kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a file";
}

Error notRegular(const std::string& what, const std::string& path, mode_t mode)
{
    return makeError(ErrorCode::InvalidFile,
                     named(what, path) + " is not a regular file (" + kindOf(mode) + ")");
}

Error systemError(const std::string& what, const std::string& path, int error)
{
    return makeError(ErrorCode::InvalidFile,
                     "cannot read " + named(what, path) + ": " + std::strerror(error));
}

} // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.release();
    }
    return *this;
}

FileDescriptor::~FileDescriptor()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

int FileDescriptor::release()
{
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

// O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; it is cleared
// again for the regular file, where it changes nothing but callers should not see it.
Result<FileDescriptor> openRegular(const std::string& path, const std::string& what)
{
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0)
        return systemError(what, path, errno);
    struct stat info
    {
    };
    if (::fstat(fd.get(), &info) != 0)
        return systemError(what, path, errno);
    if (!S_ISREG(info.st_mode))
        return notRegular(what, path, info.st_mode);
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

Result<void> checkRegular(const std::string& path, const std::string& what)
{
    struct stat info
    {
    };
    if (::stat(path.c_str(), &info) != 0)
        return systemError(what, path, errno);
    if (!S_ISREG(info.st_mode))
        return notRegular(what, path, info.st_mode);
    return {};
}

Result<std::string> readRegular(const std::string& path, int64_t maxBytes, const std::string& what)
{
    auto fd = openRegular(path, what);
    if (!fd)
        return fd.error();
    struct stat info
    {
    };
    if (::fstat(fd->get(), &info) != 0)
        return systemError(what, path, errno);
    if (info.st_size > maxBytes)
        return makeError(ErrorCode::InvalidFile,
                         named(what, path) + " is too large (" + std::to_string(info.st_size) +
                             " bytes; at most " + std::to_string(maxBytes) + " are read)");
    std::string bytes(size_t(info.st_size), '\0');
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::read(fd->get(), bytes.data() + done, bytes.size() - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return systemError(what, path, errno);
        if (got == 0)
            break; // the file shrank while read: what is there is what we have
        done += size_t(got);
    }
    bytes.resize(done);
    return bytes;
}

// Checked twice: by the name (absolute, `..`) so the message says what is wrong with it, and by
// the resolved path (canonical follows every link) so no link inside the folder leads out.
Result<std::string> confinedFile(const std::string& folder, const std::string& name,
                                 const std::string& what)
{
    const fs::path relative(name);
    const auto refused = [&](const std::string& why) {
        return makeError(ErrorCode::InvalidFile,
                         what + " '" + name + "' is refused: " + why +
                             " (files named inside a checkpoint must lie in its folder)");
    };
    if (name.empty())
        return refused("the name is empty");
    if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory())
        return refused("it is an absolute path");
    for (const auto& part : relative)
        if (part == "..")
            return refused("it names a parent folder ('..')");
    std::error_code ec;
    const fs::path base = fs::canonical(folder.empty() ? fs::path(".") : fs::path(folder), ec);
    if (ec)
        return makeError(ErrorCode::InvalidFile,
                         "cannot read the folder '" + folder + "': " + ec.message());
    const fs::path joined = base / relative;
    const fs::path resolved = fs::canonical(joined, ec);
    if (ec)
        return makeError(ErrorCode::InvalidFile,
                         "cannot read " + named(what, joined.string()) + ": " + ec.message());
    const auto [baseEnd, resolvedAt] =
        std::mismatch(base.begin(), base.end(), resolved.begin(), resolved.end());
    if (baseEnd != base.end() || resolvedAt == resolved.end())
        return refused("a symbolic link leads out of the folder, to '" + resolved.string() + "'");
    if (auto regular = checkRegular(resolved.string(), what); !regular)
        return regular.error();
    return resolved.string();
}

} // namespace ldm::files
