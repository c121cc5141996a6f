// SPDX-License-Identifier: GPL-3.0-or-later
#include "lora/lora_file.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

namespace ldm::lora {
namespace {

namespace fs = std::filesystem;

std::string lowerCase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

struct DigestDeleter
{
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

/// The .safetensors file under `folder` whose metadata names it `alias` (kohya's
/// "ss_output_name", which A1111's Lora list inserts into prompts by default); "" when none.
std::string findByAlias(const std::string& folder, const std::string& alias)
{
    std::error_code error;
    if (!fs::is_directory(folder, error))
        return {};
    const auto options = fs::directory_options::skip_permission_denied;
    for (auto it = fs::recursive_directory_iterator(folder, options, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (!it->is_regular_file(error) ||
            lowerCase(it->path().extension().string()) != ".safetensors")
            continue;
        const auto file = io::SafetensorsFile::open(it->path().string()); // the header only
        if (!file)
            continue;
        const auto name = file->metadata().find("ss_output_name");
        if (name != file->metadata().end() && name->second == alias)
            return it->path().string();
    }
    return {};
}

} // namespace

Result<std::string> findLoraFile(const std::string& folder, const std::string& name)
{
    if (name.empty() || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos || name == "." || name == "..")
        return makeError(ErrorCode::InvalidRequest,
                         "LoRA name '" + name + "' must be a file name without a folder");
    const fs::path direct = fs::path(folder) / (name + ".safetensors");
    std::error_code error;
    if (fs::is_regular_file(direct, error))
        return direct.string();
    std::string other; // a .pt / .ckpt of that name: a clearer message than "not found"
    if (fs::is_directory(folder, error)) {
        const auto options = fs::directory_options::skip_permission_denied;
        for (auto it = fs::recursive_directory_iterator(folder, options, error);
             !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
            if (!it->is_regular_file(error) || it->path().stem().string() != name)
                continue;
            const std::string extension = lowerCase(it->path().extension().string());
            if (extension == ".safetensors")
                return it->path().string();
            if (extension == ".pt" || extension == ".ckpt")
                other = it->path().string();
        }
    }
    if (const std::string aliased = findByAlias(folder, name); !aliased.empty())
        return aliased;
    if (!other.empty())
        return makeError(ErrorCode::InvalidRequest,
                         "LoRA '" + name + "': only .safetensors LoRA files are read, found " +
                             other);
    return makeError(ErrorCode::InvalidRequest,
                     "no LoRA '" + name + "': looked for " + direct.string() +
                         (fs::is_directory(folder, error)
                              ? " (and " + name + ".safetensors in its subfolders)"
                              : " (the LoRA folder does not exist)"));
}

Result<std::string> safetensorsDataSha256(const std::string& path)
{
    std::error_code error;
    if (!fs::is_regular_file(path, error)) // never wait on a FIFO or read a device
        return makeError(ErrorCode::InvalidFile, "LoRA file " + path + " is not a regular file");
    std::ifstream in(path, std::ios::binary);
    unsigned char sizeBytes[8];
    if (!in.read(reinterpret_cast<char*>(sizeBytes), 8))
        return makeError(ErrorCode::InvalidFile, path + ": shorter than a safetensors header");
    uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | sizeBytes[i];
    if (headerSize > fs::file_size(path, error) - 8 || !in.seekg(std::streamoff(8 + headerSize)))
        return makeError(ErrorCode::InvalidFile, path + ": its header runs past the file's end");
    std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
    EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), std::streamsize(buffer.size()));
        if (in.gcount() > 0)
            EVP_DigestUpdate(context.get(), buffer.data(), size_t(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned length = 0;
    EVP_DigestFinal_ex(context.get(), digest, &length);
    static const char* const Hex = "0123456789abcdef";
    std::string text;
    for (unsigned i = 0; i < length; ++i) {
        text += Hex[digest[i] >> 4];
        text += Hex[digest[i] & 15];
    }
    return text;
}

Result<std::string> loraShortHash(const io::SafetensorsFile& file)
{
    const auto it = file.metadata().find("sshs_model_hash");
    if (it != file.metadata().end() && it->second.size() >= 12)
        return lowerCase(it->second.substr(0, 12));
    auto full = safetensorsDataSha256(file.path());
    if (!full)
        return full.error();
    return full->substr(0, 12);
}

} // namespace ldm::lora
