// SPDX-License-Identifier: GPL-3.0-or-later
// Where the LoRA tests find their data: tests/data/lora (LDM_LORA_TEST_DATA) and the shared
// fixtures' tiny SD-1.x model ($LDM_FIXTURES_DIR or LDM_FIXTURES_ROOT_DEFAULT).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ldm::testing {

inline std::string loraDataDir()
{
    return LDM_LORA_TEST_DATA;
}

inline std::filesystem::path fixturesRoot()
{
    const char* root = std::getenv("LDM_FIXTURES_DIR");
    return root && *root ? std::filesystem::path(root)
                         : std::filesystem::path(LDM_FIXTURES_ROOT_DEFAULT);
}

/// The tiny SD-1.x model the LoRA reference was made for.
inline std::filesystem::path loraFixtureModel()
{
    return fixturesRoot() / "sd1" / "sd1_tiny.safetensors";
}

/// LDM_REQUIRE_FIXTURES=1: a missing fixture fails instead of skipping.
inline bool fixturesRequired()
{
    const char* required = std::getenv("LDM_REQUIRE_FIXTURES");
    return required && std::string(required) == "1";
}

} // namespace ldm::testing
