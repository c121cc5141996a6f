// SPDX-License-Identifier: GPL-3.0-or-later
// Where tests find their data, in one place: files committed under tests/data/ (always there)
// and the shared reference fixtures (there in CI, absent in a user's clone).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ldm::testing {

/// The source tree (ctest sets LDM_SOURCE_DIR); empty when run by hand without it.
inline std::filesystem::path sourceDir()
{
    const char* dir = std::getenv("LDM_SOURCE_DIR");
    return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path();
}

/// A reference key listing committed under tests/data/keys/ ("unet_xattn.keys.txt").
inline std::filesystem::path keyListing(const std::string& name)
{
    return sourceDir() / "tests" / "data" / "keys" / name;
}

/// The public parity fixture folder (LDM_PARITY_DIR, else the ctest default).
inline std::filesystem::path parityDir()
{
    for (const char* var : {"LDM_PARITY_DIR", "LDM_PARITY_DIR_DEFAULT"})
        if (const char* dir = std::getenv(var); dir && *dir)
            return dir;
    return {};
}

/// A folder of the shared reference fixtures: $LDM_FIXTURES_DIR/<name>, else
/// ../shared/fixtures/<name> beside the source tree; empty when neither root is known.
inline std::filesystem::path fixtureFolder(const std::string& name)
{
    if (const char* root = std::getenv("LDM_FIXTURES_DIR"); root && *root)
        return std::filesystem::path(root) / name;
    if (sourceDir().empty())
        return {};
    return sourceDir().parent_path() / "shared" / "fixtures" / name;
}

/// True in CI (LDM_REQUIRE_FIXTURES=1): a missing fixture is a failure there, never a skip.
inline bool fixturesRequired()
{
    const char* value = std::getenv("LDM_REQUIRE_FIXTURES");
    return value && std::string(value) == "1";
}

} // namespace ldm::testing
