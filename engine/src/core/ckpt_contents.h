// SPDX-License-Identifier: GPL-3.0-or-later
// What a PyTorch zip checkpoint holds, worked out without LibTorch: the zip members, the
// restricted unpickle of data.pkl, and the state dict found in it with every tensor checked
// against its storage record. ckpt_file.h turns the result into tensors; the fuzzer
// (tests/fuzz/fuzz_ckpt_pickle.cpp) runs everything here under ASan/UBSan.
#pragma once

#include "core/pickle_reader.h"
#include "ldm/result.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ldm::io {

/// One tensor of the state dict: a strided view of a storage record.
struct CkptTensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::string storageKey;     ///< the record `<archive>/data/<key>`
    uint64_t storageOffset = 0; ///< in elements
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides; ///< in elements
    /// Number of elements (the product of sizes; 1 for a scalar).
    uint64_t numel() const;
};

/// One storage record. Several tensors may view the same one.
struct CkptStorageInfo
{
    DType dtype = DType::F32;
    uint64_t numel = 0;      ///< elements of dtype
    uint64_t fileOffset = 0; ///< first byte in the file (set by parseCheckpoint)
    uint64_t byteSize = 0;   ///< numel x element size (set by parseCheckpoint)
};

/// The usable part of a checkpoint.
struct CkptContents
{
    std::vector<CkptTensorInfo> tensors;             ///< in state-dict order
    std::map<std::string, CkptStorageInfo> storages; ///< by key: only those the tensors use
    /// `global_step` and `epoch` of a Lightning checkpoint, as decimal strings.
    std::map<std::string, std::string> metadata;
    /// Entries not loaded: top-level keys next to `state_dict` (optimizer_states, callbacks,
    /// ...) and state-dict entries that are not tensors ("state_dict.<name> (int)").
    std::vector<std::string> skipped;
};

/// Finds the state dict in an unpickled data.pkl: the root dict's `state_dict` entry
/// (Lightning), else a textual-inversion embedding's `string_to_param` (a dict, or the
/// `_parameters` of a ParameterDict), else the root dict itself. Checks every tensor's view
/// against its storage's element count and that each storage key names one dtype. Storage file
/// positions are left 0.
/// Never throws; errors are InvalidFile.
Result<CkptContents> extractStateDict(const PickleTree& tree);

/// Parses a whole PyTorch zip checkpoint in [data, data + size): the zip directory, a
/// little-endian `byteorder`, data.pkl (CRC-checked, restricted unpickle), the state dict,
/// and each used storage record (present, stored uncompressed, exactly numel x element size).
/// Never throws, never reads outside the range; errors name the problem, not the file.
Result<CkptContents> parseCheckpoint(const uint8_t* data, size_t size);

} // namespace ldm::io
