// SPDX-License-Identifier: GPL-3.0-or-later
// Safetensors files: a bounds-checked, memory-mapped reader and an atomic writer.
//
// Format: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the raw little-endian C-order data; offsets are relative to the end of the header.
#pragma once

#include "core/file_mapping.h"
#include "core/safetensors_header.h"
#include "ldm/result.h"

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ldm::io {

/// A read-only safetensors file. The data is memory-mapped; tensors returned by tensor() share
/// the mapping (no copy) and keep it alive.
///
/// Opening reads only the header, so opening a multi-GB checkpoint is cheap; pages are read
/// from disk when a tensor's data is first touched. Copies of a SafetensorsFile share the
/// mapping. Thread safety: all const members may be called from several threads at once.
/// The mapping is only as stable as the file: truncating it on disk while mapped makes later
/// reads fault (SIGBUS), so write checkpoints with writeSafetensors (atomic rename), never in
/// place.
class SafetensorsFile {
public:
    /// Opens and validates a file. Errors name the file and the problem.
    static Result<SafetensorsFile> open(const std::string& path);

    /// The path given to open().
    const std::string& path() const { return m_path; }
    /// The validated header.
    const Header& header() const { return m_header; }
    /// Every entry in file order.
    const std::vector<TensorInfo>& tensors() const { return m_header.tensors; }
    /// The __metadata__ strings.
    const std::map<std::string, std::string>& metadata() const { return m_header.metadata; }
    /// The entry called `name`, or nullptr.
    const TensorInfo* find(const std::string& name) const;
    /// True when the file holds a tensor called `name`.
    bool contains(const std::string& name) const { return find(name) != nullptr; }

    /// The tensor as stored (dtype preserved), a zero-copy view of the mapping.
    /// Throws std::out_of_range for an unknown name (check contains() first).
    /// The view is READ-ONLY: the pages are mapped without write permission, so an in-place op
    /// on it (add_, copy_ into it, ...) faults. clone() it, or convert with to(), first.
    /// Two cases return a private copy instead of a view: data whose offset is not a multiple
    /// of the element size (the format does not promise alignment, and ATen kernels assume
    /// aligned elements), and BOOL tensors (normalised to 0/1, since any other byte value is
    /// undefined behaviour for torch's bool).
    torch::Tensor tensor(const std::string& name) const;

private:
    std::string m_path;
    Header m_header;
    std::map<std::string, size_t> m_index; // name -> position in m_header.tensors
    std::shared_ptr<const FileMapping> m_mapping;
};

/// Writes tensors (any of the dtypes above, CPU or not) with string metadata.
/// Atomic: writes to a temporary file in the same folder and renames it over `path`.
Result<void> writeSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata = {});

} // namespace ldm::io
