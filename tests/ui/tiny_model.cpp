// SPDX-License-Identifier: GPL-3.0-or-later
#include "tiny_model.h"

#include "support/tiny_models.h"

#include <exception>
#include <filesystem>

namespace ldm::test {

std::string installTinyModel(const std::string& modelsDir, const std::string& name,
                             const std::string& kind)
{
    namespace fs = std::filesystem;
    try {
        const fs::path folder = fs::path(modelsDir) / name;
        fs::create_directories(folder);
        // The tokenizer, if any, is written beside the weights and found relative to them.
        const fs::path written = ldm::testing::writeTinyModel(folder.string(), kind);
        fs::rename(written, folder / "model.safetensors");
        return {};
    } catch (const std::exception& error) {
        return error.what();
    }
}

} // namespace ldm::test
