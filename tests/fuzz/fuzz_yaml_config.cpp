// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for ldm::parseYamlAsJson, which turns an untrusted config.yaml (beside a
// checkpoint, or stored in its metadata) into JSON under the limits of core/input_limits.h
// (depth, values after aliases). Torch-free: yaml_json.cpp, regular_file.cpp and yaml-cpp.
//
// Build by hand (from the repository root):
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include -Iengine/src
//       tests/fuzz/fuzz_yaml_config.cpp engine/src/checkpoint/yaml_json.cpp
//       engine/src/core/regular_file.cpp -lyaml-cpp -o fuzz_yaml_config
// Run: ./fuzz_yaml_config -max_total_time=300 -max_len=4096 corpus/   (seeds: any *.yaml)
#include "checkpoint/yaml_json.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto parsed = ldm::parseYamlAsJson(text);
    // Every refusal carries a message a person can act on.
    if (!parsed.ok() && parsed.error().message.empty())
        std::abort();
    if (parsed.ok())
        (void)parsed->dump(); // the JSON is well formed enough to print
    return 0;
}
