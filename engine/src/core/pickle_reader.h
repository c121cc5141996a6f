// SPDX-License-Identifier: GPL-3.0-or-later
// A restricted unpickler for the data.pkl of PyTorch checkpoints. It never executes anything:
// instead of importing and calling globals it builds a tree of plain values, and a global is
// accepted only when it is on a short allowlist of names whose meaning we re-implement (an
// OrderedDict, a tensor rebuilt from a storage, ...) or on a list of known inert types that
// training checkpoints carry outside the weights, which become opaque placeholders. Any other
// global (os.system, builtins.eval, ...) stops the read at once with an error naming it.
//
// Torch-free, so it is fuzzed (tests/fuzz/fuzz_ckpt_pickle.cpp) and reviewed on its own.
#pragma once

#include "core/safetensors_header.h" // DType
#include "ldm/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ldm::io {

/// Limits of the unpickler. Real checkpoints stay far below them (a Stable Diffusion data.pkl
/// describes ~1,100 tensors in a few hundred KB, some tens of thousands of objects); reaching
/// one means a corrupt or hostile file, and each bounds memory and time before anything is
/// allocated for it.
constexpr size_t MaxPickleBytes = 512u << 20;     ///< size of data.pkl
constexpr size_t MaxPickleObjects = 4'000'000;    ///< values created in all
constexpr size_t MaxPickleStackDepth = 1'000'000; ///< values on the stack at once
constexpr size_t MaxPickleMarkDepth = 10'000;     ///< nested MARKs
constexpr size_t MaxPickleItems = 32'000'000;     ///< items of all containers together
constexpr size_t MaxPickleMemoEntries = 4'000'000;
constexpr size_t MaxPickleStringBytes = 64u << 20; ///< one str or bytes value
constexpr size_t MaxPickleNameBytes = 256;         ///< a GLOBAL's module or name
constexpr size_t MaxStateDictKeyBytes = 4096;      ///< a tensor name (real ones are < 200)
constexpr size_t MaxTensorDims = 64;               ///< what ATen itself allows

/// What a pickled value is.
enum class PickleKind : uint8_t {
    None,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    List,
    Tuple,
    Dict,
    Set,
    Global,  ///< an allowlisted global not (yet) called: a storage type, a dtype, a function
    Storage, ///< a persistent-id storage reference (a record in the archive)
    Tensor,  ///< a tensor rebuilt from a storage
    Object,  ///< an opaque placeholder for an instance of a known inert type
};

/// Human-readable name of a kind ("dict", "tensor", ...).
const char* pickleKindName(PickleKind kind);

/// One node of the value tree. Containers refer to other nodes by index, so shared and even
/// self-referencing values (which pickle allows) need no ownership cycles.
struct PickleValue
{
    PickleKind kind = PickleKind::None;
    bool ordered = false; ///< Dict: made by collections.OrderedDict
    bool bigInt = false;  ///< Int: did not fit in 64 bits (`integer` is then meaningless)
    int64_t integer = 0;  ///< Bool, Int; Global: its role; Storage/Tensor: index in its table
    double number = 0;    ///< Float
    std::string text;     ///< String, Bytes; Global and Object: the qualified type name
    /// List, Tuple, Set: element indices. Dict: key and value indices, alternating, in
    /// insertion order (a repeated key is kept twice; readers take the last, as Python does).
    std::vector<uint32_t> items;
};

/// A storage named by a persistent id ('storage', torch.FloatStorage, key, location, numel).
struct PickleStorage
{
    DType dtype = DType::F32;
    std::string key;      ///< the record `<archive>/data/<key>`
    std::string location; ///< "cpu", "cuda:0", ... (informative: we always load to the CPU)
    uint64_t numel = 0;   ///< elements of `dtype` in the storage
};

/// A tensor from torch._utils._rebuild_tensor_v2: a strided view of a storage.
struct PickleTensor
{
    uint32_t storage = 0;       ///< index into PickleTree::storages
    uint64_t storageOffset = 0; ///< in elements
    std::vector<int64_t> sizes;
    std::vector<int64_t> strides; ///< in elements, same length as sizes
    bool requiresGrad = false;
};

/// The result of unpickling: every value created, and the one STOP returned.
struct PickleTree
{
    std::vector<PickleValue> values;
    std::vector<PickleStorage> storages;
    std::vector<PickleTensor> tensors;
    uint32_t root = 0;

    const PickleValue& at(uint32_t index) const { return values[index]; }
};

/// Unpickles [data, data + size) (protocols 2 to 5, the opcodes torch.save and Lightning
/// produce) into a tree without calling anything. Globals outside the allowlist are refused
/// by name ("refusing to load: the checkpoint references os.system, ..."); unsupported opcodes,
/// malformed arguments and exceeded limits are InvalidFile errors too. Never throws.
Result<PickleTree> readPickle(const uint8_t* data, size_t size);

} // namespace ldm::io
