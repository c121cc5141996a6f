// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenizer/spm_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace ldm::detail {

namespace {

namespace fs = std::filesystem;

constexpr const char* ShimFileName = "libldm_spm_shim.so";

std::vector<std::string> candidatePaths()
{
    std::vector<std::string> paths;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path dir = exe.parent_path();
        paths.push_back((dir / ShimFileName).string());
        paths.push_back(
            (dir / ".." / "lib" / "latent-canvas" / ShimFileName).lexically_normal().string());
    }
    return paths;
}

template <typename Fn> bool resolve(void* handle, const char* name, Fn& out, std::string& missing)
{
    out = reinterpret_cast<Fn>(dlsym(handle, name));
    if (!out) {
        missing += missing.empty() ? name : std::string(", ") + name;
    }
    return out != nullptr;
}

Result<std::unique_ptr<SpmLibrary>> openLibrary(const std::string& path)
{
    // DEEPBIND: the module binds to the protobuf bundled in libsentencepiece, not to the
    // libprotobuf that LibTorch brought into the global scope. LOCAL: nothing of it leaks out.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
        const char* why = dlerror();
        return makeError(ErrorCode::Internal,
                         "cannot load the sentencepiece module: " + std::string(why ? why : path));
    }
    auto library = std::make_unique<SpmLibrary>();
    library->path = path;
    LdmSpmAbiVersionFn version = nullptr;
    std::string missing;
    resolve(handle, "ldm_spm_abi_version", version, missing);
    resolve(handle, "ldm_spm_last_error", library->lastError, missing);
    resolve(handle, "ldm_spm_train", library->train, missing);
    resolve(handle, "ldm_spm_load", library->load, missing);
    resolve(handle, "ldm_spm_free", library->free, missing);
    resolve(handle, "ldm_spm_encode", library->encode, missing);
    resolve(handle, "ldm_spm_piece_to_id", library->pieceToId, missing);
    resolve(handle, "ldm_spm_id_to_piece", library->idToPiece, missing);
    resolve(handle, "ldm_spm_vocab_size", library->vocabSize, missing);
    resolve(handle, "ldm_spm_special_ids", library->specialIds, missing);
    if (!missing.empty() || version() != LDM_SPM_ABI_VERSION) {
        dlclose(handle);
        return makeError(ErrorCode::Internal,
                         path + " is not a matching sentencepiece module (" +
                             (missing.empty() ? "ABI version differs" : "lacks " + missing) +
                             "); reinstall Latent Canvas");
    }
    return library;
}

Result<std::unique_ptr<SpmLibrary>> findAndOpen()
{
    if (const char* env = std::getenv("LDM_SPM_SHIM"); env && *env) {
        // An explicit choice that fails is reported, never silently replaced by another file.
        return openLibrary(env);
    }
    const auto candidates = candidatePaths();
    std::string looked;
    for (const auto& path : candidates) {
        std::error_code ec;
        if (fs::exists(path, ec)) {
            return openLibrary(path);
        }
        looked += (looked.empty() ? "" : ", ") + path;
    }
    return makeError(ErrorCode::Internal,
                     std::string("the sentencepiece module ") + ShimFileName +
                         " was not found (looked in: " + looked +
                         "); set LDM_SPM_SHIM to its path or reinstall Latent Canvas");
}

} // namespace

Result<const SpmLibrary*> spmLibrary()
{
    static std::mutex mutex;
    static std::unique_ptr<SpmLibrary> loaded; // intentionally never unloaded
    std::lock_guard<std::mutex> lock(mutex);
    if (!loaded) {
        auto opened = findAndOpen();
        if (!opened) {
            return opened.error();
        }
        loaded = std::move(opened.value());
    }
    return static_cast<const SpmLibrary*>(loaded.get());
}

} // namespace ldm::detail
