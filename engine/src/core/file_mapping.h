// SPDX-License-Identifier: GPL-3.0-or-later
// A whole file mapped read-only into memory, shared by the checkpoint readers (safetensors and
// PyTorch zip), whose tensors are zero-copy views that keep the mapping alive.
#pragma once

#include "ldm/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ldm::io {

/// A read-only, private mapping of a regular file; unmapped when the last owner goes away.
/// Hold it through std::shared_ptr and capture that pointer in every tensor deleter.
/// The mapping is only as stable as the file: truncating the file on disk while it is mapped
/// makes later reads fault (SIGBUS), which is why our writers replace files atomically.
class FileMapping
{
public:
    /// Maps `path`. An empty file gives an empty mapping (data() == nullptr, size() == 0).
    /// Errors (InvalidFile) name the path and the system's reason.
    static Result<std::shared_ptr<const FileMapping>> open(const std::string& path);

    FileMapping(const FileMapping&) = delete;
    FileMapping& operator=(const FileMapping&) = delete;
    ~FileMapping();

    /// First byte of the file (PROT_READ: never write through it).
    const uint8_t* data() const { return static_cast<const uint8_t*>(m_address); }
    /// Size of the file in bytes when it was mapped.
    size_t size() const { return m_size; }

private:
    FileMapping() = default;
    void* m_address = nullptr;
    size_t m_size = 0;
};

} // namespace ldm::io
