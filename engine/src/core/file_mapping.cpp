// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/file_mapping.h"

#include "core/regular_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ldm::io {

namespace {

Error systemError(const std::string& what, const std::string& path)
{
    return makeError(ErrorCode::InvalidFile, what + " '" + path + "': " + std::strerror(errno));
}

} // namespace

Result<std::shared_ptr<const FileMapping>> FileMapping::open(const std::string& path)
{
    // A FIFO or device is refused without blocking (core/regular_file.h).
    auto opened = files::openRegular(path);
    if (!opened)
        return opened.error();
    const int fd = opened->release();
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0) {
        const Error error = systemError("cannot stat", path);
        ::close(fd);
        return error;
    }

    std::shared_ptr<FileMapping> mapping(new FileMapping());
    if (info.st_size > 0) {
        void* address = ::mmap(nullptr, size_t(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (address == MAP_FAILED) {
            const Error error = systemError("cannot map", path);
            ::close(fd);
            return error;
        }
        mapping->m_address = address;
        mapping->m_size = size_t(info.st_size);
    }
    ::close(fd); // the mapping keeps its own reference to the file
    return std::shared_ptr<const FileMapping>(std::move(mapping));
}

FileMapping::~FileMapping()
{
    if (m_address)
        ::munmap(m_address, m_size);
}

} // namespace ldm::io
