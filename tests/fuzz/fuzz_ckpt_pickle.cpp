// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the torch-free PyTorch checkpoint layer: the zip directory reader, the
// restricted unpickler and the state-dict extraction (core/ckpt_contents.h). It builds from
// those sources alone (no torch), so ASan/UBSan see all of it.
//
// Input layout: one mode byte, then the bytes under test.
//   mode even: a whole checkpoint file for parseCheckpoint (zip + data.pkl + records);
//   mode odd:  a bare data.pkl for readPickle + extractStateDict (a zip's CRC would otherwise
//              reject almost every mutated pickle before the unpickler sees it).
//
// Build (from the repository root; only this target):
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DLDM_BUILD_APP=OFF -DLDM_BUILD_FUZZERS=ON
//   ninja -C build-fuzz fuzz_ckpt_pickle
// Seeds are in tests/fuzz/corpus/ckpt (made from tests/data/ckpt); copy them to a scratch
// folder so new inputs do not land in the repository:
//   mkdir -p build-fuzz/corpus-ckpt && cp tests/fuzz/corpus/ckpt/* build-fuzz/corpus-ckpt/
//   build-fuzz/bin/fuzz_ckpt_pickle -max_total_time=900 -dict=tests/fuzz/pickle.dict
//       build-fuzz/corpus-ckpt
#include "core/ckpt_contents.h"

#include <cstdlib>
#include <cstring>
#include <set>

namespace {

// What the torch layer (ckpt_file.cpp) relies on when it makes views of the file.
void checkAccepted(const ldm::io::CkptContents& contents, uint64_t fileSize, bool positioned)
{
    std::set<std::string> names;
    for (const auto& tensor : contents.tensors) {
        if (!names.insert(tensor.name).second)
            std::abort(); // names are unique
        const auto storage = contents.storages.find(tensor.storageKey);
        if (storage == contents.storages.end() || storage->second.dtype != tensor.dtype ||
            tensor.sizes.size() != tensor.strides.size())
            std::abort();
        bool empty = false;
        unsigned __int128 last = tensor.storageOffset;
        for (size_t d = 0; d < tensor.sizes.size(); ++d) {
            if (tensor.sizes[d] < 0 || tensor.strides[d] < 0)
                std::abort();
            empty = empty || tensor.sizes[d] == 0;
            if (tensor.sizes[d] > 0)
                last += (unsigned __int128)(tensor.sizes[d] - 1) * uint64_t(tensor.strides[d]);
        }
        if (!empty && last >= storage->second.numel)
            std::abort(); // a view reaching outside its storage
    }
    if (!positioned)
        return;
    for (const auto& [key, storage] : contents.storages) {
        if (storage.byteSize != storage.numel * ldm::io::dtypeSize(storage.dtype) ||
            storage.fileOffset > fileSize || storage.byteSize > fileSize - storage.fileOffset)
            std::abort(); // a record outside the file
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const bool wholeFile = (data[0] & 1) == 0;
    const size_t bytes = size - 1;
    // A private copy of exactly the bytes passed, so ASan flags any read past them.
    uint8_t* copy = static_cast<uint8_t*>(std::malloc(bytes ? bytes : 1));
    if (bytes)
        std::memcpy(copy, data + 1, bytes);

    if (wholeFile) {
        const auto contents = ldm::io::parseCheckpoint(copy, bytes);
        if (!contents.ok() && contents.error().message.empty())
            std::abort(); // every rejection must say why
        if (contents.ok())
            checkAccepted(*contents, bytes, true);
    } else {
        const auto tree = ldm::io::readPickle(copy, bytes);
        if (!tree.ok() && tree.error().message.empty())
            std::abort();
        if (tree.ok()) {
            const size_t count = tree->values.size();
            if (tree->root >= count)
                std::abort();
            for (const auto& value : tree->values) {
                for (uint32_t item : value.items)
                    if (item >= count)
                        std::abort(); // a container pointing outside the tree
                if ((value.kind == ldm::io::PickleKind::Storage &&
                     size_t(value.integer) >= tree->storages.size()) ||
                    (value.kind == ldm::io::PickleKind::Tensor &&
                     size_t(value.integer) >= tree->tensors.size()))
                    std::abort();
            }
            const auto contents = ldm::io::extractStateDict(*tree);
            if (!contents.ok() && contents.error().message.empty())
                std::abort();
            if (contents.ok())
                checkAccepted(*contents, bytes, false);
        }
    }
    std::free(copy);
    return 0;
}
