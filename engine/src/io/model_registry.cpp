// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/model_registry.h"

#include "core/safetensors.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ldm {
namespace fs = std::filesystem;

std::string findModelDir(const std::string& explicitDir)
{
    if (!explicitDir.empty())
        return explicitDir;
    if (const char* env = std::getenv("LDM_MODEL_DIR"); env && *env)
        return env;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    for (const fs::path& candidate :
         {exe.parent_path() / ".." / "share" / "latent-canvas" / "models",
          exe.parent_path() / ".." / ".." / "resources" / "models"})
        if (fs::is_directory(candidate, ec))
            return fs::weakly_canonical(candidate, ec).string();
    return {};
}

namespace {

/// Only checkpoints that can generate count as models: a first stage alone cannot.
bool holdsUNet(const std::string& path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return false;
    for (const auto& info : file->tensors())
        if (info.name.rfind("model.diffusion_model.", 0) == 0)
            return true;
    return false;
}

} // namespace

std::vector<std::string> listShippedModels(const std::string& modelDir)
{
    std::vector<std::string> names;
    std::error_code ec;
    if (modelDir.empty() || !fs::is_directory(modelDir, ec))
        return names;
    for (const auto& entry : fs::directory_iterator(modelDir, ec))
        if (entry.is_directory() && holdsUNet((entry.path() / "model.safetensors").string()))
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string defaultModelName(const std::string& task)
{
    return task == "upscale" ? "superres" : "landscape";
}

std::string resolveModelPath(const std::string& modelDir, const std::string& nameOrPath)
{
    std::error_code ec;
    const fs::file_status status = fs::status(nameOrPath, ec);
    if (fs::is_regular_file(status))
        return nameOrPath;
    // A FIFO, device or socket there is what the person named: the loader refuses it without
    // opening it and says what it is, instead of "no model" (a folder may share a shipped
    // model's name, so it is not taken).
    if (fs::is_fifo(status) || fs::is_character_file(status) || fs::is_block_file(status) ||
        fs::is_socket(status))
        return nameOrPath;
    if (!modelDir.empty() && nameOrPath.find('/') == std::string::npos) {
        const fs::path shipped = fs::path(modelDir) / nameOrPath / "model.safetensors";
        if (fs::is_regular_file(shipped, ec))
            return shipped.string();
    }
    return {};
}

} // namespace ldm
