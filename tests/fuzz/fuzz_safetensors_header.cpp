// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for ldm::io::parseHeader, the code that reads untrusted checkpoint bytes.
// It builds from safetensors_header.cpp alone (no torch), so ASan/UBSan see all of it.
//
// Input layout: 4 bytes little-endian `extra`, then the first bytes of a file. The parser sees
// fileSize = (remaining bytes) + extra, which covers both a whole file and the "header only
// was read" case of the real reader.
//
// Build with CMake (from the repository root):
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DLDM_BUILD_APP=OFF -DLDM_BUILD_FUZZERS=ON
//       -DLDM_PRECOMPILED_HEADERS=OFF
//   ninja -C build-fuzz fuzz_safetensors_header
// or by hand, without CMake:
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include
//       -Iengine/src tests/fuzz/fuzz_safetensors_header.cpp
//       engine/src/core/safetensors_header.cpp -o fuzz_safetensors_header
// Seeds: each fixture's header plus 64 data bytes, in the input layout above:
//   python3 tests/fuzz/make_header_seeds.py ../shared/fixtures/parity build-fuzz/corpus
// Run (tests/fuzz/safetensors.dict holds the header's keywords):
//   build-fuzz/bin/fuzz_safetensors_header -max_total_time=600 -max_len=65536
//       -dict=tests/fuzz/safetensors.dict build-fuzz/corpus
#include "core/safetensors_header.h"

#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t extra = 0;
    std::memcpy(&extra, data, 4);
    const uint8_t* file = data + 4;
    const size_t fileBytes = size - 4;
    const uint64_t fileSize = uint64_t(fileBytes) + extra;

    // A private copy of exactly the bytes passed, so ASan flags any read past them.
    uint8_t* copy = static_cast<uint8_t*>(std::malloc(fileBytes ? fileBytes : 1));
    if (fileBytes)
        std::memcpy(copy, file, fileBytes);
    const auto header = ldm::io::parseHeader(copy, fileBytes, fileSize);
    std::free(copy);

    if (!header.ok()) {
        if (header.error().message.empty())
            std::abort(); // every rejection must say why
        return 0;
    }
    // What the reader relies on when it makes views: every accepted range lies in the data
    // section and matches shape x dtype size.
    for (const auto& info : header->tensors) {
        if (info.begin < header->dataStart || info.end < info.begin || info.end > fileSize)
            std::abort();
        if (info.numel() * ldm::io::dtypeSize(info.dtype) != info.end - info.begin)
            std::abort();
    }
    return 0;
}
