// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/run_folder.h"

#include "core/regular_file.h"
#include "core/safetensors.h"
#include "core/state_dict.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;

Error fileError(const std::string& what, const std::error_code& ec)
{
    return makeError(ErrorCode::InvalidFile, what + ": " + ec.message());
}

} // namespace

Result<void> writeTextFile(const std::string& path, const std::string& text)
{
    const std::string temporary = path + ".tmp-write";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out)
            return makeError(ErrorCode::InvalidFile, "cannot write " + temporary);
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec)
        return fileError("cannot rename " + temporary + " to " + path, ec);
    return {};
}

Result<nlohmann::json> readJsonFile(const std::string& path)
{
    auto text = files::readRegular(path, 64ll << 20); // run state, never a FIFO
    if (!text)
        return text.error();
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded())
        return makeError(ErrorCode::InvalidFile, path + " is not valid JSON (truncated?)");
    return json;
}

Result<void> commitFolder(const std::string& staged, const std::string& target)
{
    std::error_code ec;
    const std::string old = target + ".old";
    fs::remove_all(old, ec);
    if (fs::exists(target, ec)) {
        fs::rename(target, old, ec);
        if (ec)
            return fileError("cannot move " + target + " aside", ec);
    }
    fs::rename(staged, target, ec);
    if (ec)
        return fileError("cannot move " + staged + " to " + target, ec);
    fs::remove_all(old, ec);
    return {};
}

std::string findCheckpointFolder(const std::string& runDir)
{
    std::error_code ec;
    for (const char* name : {"checkpoint", "checkpoint.old"}) {
        const fs::path folder = fs::path(runDir) / name;
        if (fs::is_regular_file(folder / "state.json", ec))
            return folder.string();
    }
    return {};
}

std::map<std::string, std::string>
autoencoderMetadata(const AutoencoderConfig& config, const std::string& name,
                    const std::map<std::string, std::string>& extra)
{
    std::map<std::string, std::string> meta = extra;
    meta["ddconfig"] = config.ddconfig.toJson().dump();
    meta["embed_dim"] = std::to_string(config.embedDim);
    if (!name.empty())
        meta["name"] = name;
    return meta;
}

Result<void> saveAutoencoder(const std::string& path, const FirstStage& stage,
                             torch::ScalarType dtype, const std::string& name,
                             const std::map<std::string, std::string>& extra)
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto& [key, value] : io::stateDict(stage.module())) {
        auto out = value.is_floating_point() ? value.to(dtype) : value;
        // Safetensors stores C order; channels-last training weights must be made dense.
        tensors.emplace_back(key, out.contiguous());
    }
    return io::writeSafetensors(path, tensors, autoencoderMetadata(stage.config(), name, extra));
}

Result<FirstStage> loadAutoencoder(const std::string& path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    auto config = AutoencoderConfig::fromMetadata(file->metadata());
    if (!config)
        return makeError(config.error().code, path + ": " + config.error().message);
    auto stage = FirstStage::create(*config);
    if (!stage)
        return stage.error();
    io::TensorMap tensors;
    for (const auto& info : file->tensors())
        tensors[info.name] = file->tensor(info.name);
    if (auto ok = stage->load(tensors, ""); !ok)
        return makeError(ok.error().code, path + ": " + ok.error().message);
    return stage;
}

Result<void> convertAutoencoderFile(const std::string& source, const std::string& target,
                                    torch::ScalarType dtype)
{
    auto file = io::SafetensorsFile::open(source);
    if (!file)
        return file.error();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& info : file->tensors()) {
        auto tensor = file->tensor(info.name);
        tensors.emplace_back(info.name,
                             tensor.is_floating_point() ? tensor.to(dtype) : tensor.clone());
    }
    auto meta = file->metadata();
    meta["dtype"] = std::string(c10::toString(dtype));
    if (auto ok = io::writeSafetensors(target, tensors, meta); !ok)
        return ok;
    if (auto check = loadAutoencoder(target); !check)
        return makeError(check.error().code,
                         "exported file does not load: " + check.error().message);
    return {};
}

} // namespace ldm::train
