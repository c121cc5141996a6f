// SPDX-License-Identifier: GPL-3.0-or-later
// The safetensors header: element types, tensor entries and a bounds-checked parser.
//
// Kept free of torch headers so the parser can be built alone (fuzzer, small tools) and so the
// untrusted-input code stays small enough to review. safetensors.h builds the mmap reader on it.
#pragma once

#include "core/input_limits.h"
#include "ldm/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ldm::io {

/// Element types a safetensors file may declare.
enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

/// Size of one element in bytes.
size_t dtypeSize(DType dtype);
/// The safetensors spelling ("F32", ...).
const char* dtypeName(DType dtype);
/// The dtype spelled `name` ("F32", ...), or nothing for a spelling we do not support.
std::optional<DType> dtypeFromName(const std::string& name);

/// Largest header we accept (see core/input_limits.h for why).
constexpr uint64_t MaxHeaderBytes = limits::MaxSafetensorsHeaderBytes;
/// Most tensor entries we accept in one header (see core/input_limits.h).
constexpr size_t MaxTensorCount = limits::MaxSafetensorsTensors;

/// One tensor entry of the header. Offsets are absolute positions in the file.
struct TensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0; ///< first byte of the data in the file
    uint64_t end = 0;   ///< one past the last byte
    /// Number of elements (the product of shape; 1 for a scalar).
    uint64_t numel() const;
};

/// The parsed header: entries in file order plus the string metadata.
struct Header
{
    std::vector<TensorInfo> tensors;
    std::map<std::string, std::string> metadata;
    uint64_t dataStart = 0; ///< 8 + header length
};

/// Parses and validates a header against a file of `fileSize` bytes whose first
/// `size` bytes are in `data` (size may be just the header part). Never throws, never reads
/// outside [data, data + size). Checks: header length inside the file, at most MaxTensorCount
/// entries, JSON object, known dtype, shape x dtype size == byte range, ranges inside the data
/// section and non-overlapping, names unique. Time is O(n log n) in the number of entries, and
/// memory holds one entry's JSON at a time.
/// Errors are InvalidFile with a message naming the problem (but not the file: the caller
/// knows the path and prefixes it).
Result<Header> parseHeader(const uint8_t* data, size_t size, uint64_t fileSize);

/// "[2, 3, 4]": the spelling used in every shape-related message of the io code.
std::string formatShape(const std::vector<int64_t>& shape);

} // namespace ldm::io
