// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the recipe readers that see text from other people's PNGs: the
// AUTOMATIC1111 `parameters` chunk and our own JSON recipe chunk (engine/src/recipe, plain
// C++17 + nlohmann_json). A recipe that parses must survive being written and read back.
//
// Build by hand (from the repository root):
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include
//       tests/fuzz/fuzz_recipe_text.cpp engine/src/recipe/recipe.cpp
//       engine/src/recipe/recipe_a1111.cpp -o fuzz_recipe_text
// Run: ./fuzz_recipe_text -max_total_time=300 -max_len=4096 corpus/
#include "ldm/recipe.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    // The first byte picks the reader, so one corpus serves both.
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto recipe =
        (data[0] & 1) ? ldm::recipeFromA1111Parameters(text) : ldm::recipeFromJsonText(text);
    if (!recipe.ok()) {
        if (recipe.error().message.empty())
            std::abort();
        return 0;
    }
    const auto again = ldm::recipeFromJsonText(ldm::toJson(*recipe).dump());
    if (!again.ok())
        std::abort(); // what we write, we must read
    (void)ldm::toA1111Parameters(*recipe);
    return 0;
}
