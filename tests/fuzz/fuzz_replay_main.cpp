// SPDX-License-Identifier: GPL-3.0-or-later
// Replays fuzz inputs through a target's LLVMFuzzerTestOneInput without libFuzzer, so the
// ordinary build (any compiler) checks the committed seed corpora and crash reproducers in
// seconds: the fuzz-smoke tests. Arguments: files or folders (every regular file in a folder,
// in name order). A target aborts on a broken invariant, which fails the test; an input that
// cannot be read, or no input at all, fails it too.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputsOf(const fs::path& argument)
{
    std::vector<fs::path> inputs;
    if (fs::is_directory(argument)) {
        for (const auto& entry : fs::directory_iterator(argument))
            if (entry.is_regular_file())
                inputs.push_back(entry.path());
        std::sort(inputs.begin(), inputs.end());
    } else {
        inputs.push_back(argument);
    }
    return inputs;
}

} // namespace

int main(int argc, char** argv)
{
    size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        for (const fs::path& input : inputsOf(argv[i])) {
            std::ifstream file(input, std::ios::binary);
            if (!file) {
                std::fprintf(stderr, "cannot read %s\n", input.c_str());
                return 1;
            }
            const std::vector<char> bytes{std::istreambuf_iterator<char>(file), {}};
            // A private heap copy of exactly the input, as libFuzzer passes it.
            std::vector<uint8_t> copy(bytes.begin(), bytes.end());
            copy.reserve(1); // a valid pointer for an empty input too
            LLVMFuzzerTestOneInput(copy.data(), copy.size());
            ++replayed;
        }
    }
    std::printf("replayed %zu inputs\n", replayed);
    return replayed > 0 ? 0 : 1;
}
