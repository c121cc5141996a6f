// SPDX-License-Identifier: GPL-3.0-or-later
// `convert IN.ckpt OUT.safetensors`: a PyTorch checkpoint (read by the restricted unpickler,
// nothing in it is executed) rewritten as safetensors, so it loads fast and safely everywhere
// and carries its config.yaml with it.
#include "checkpoint/yaml_json.h"
#include "cli_options.h"
#include "commands.h"
#include "core/input_limits.h"
#include "core/regular_file.h"
#include "core/ckpt_file.h"
#include "core/safetensors.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ldm::cli {
namespace {

/// Metadata key of the embedded CompVis config.yaml text (none was in use before).
const char* const ConfigYamlKey = "config_yaml";

const std::vector<OptionSpec> ConvertOptions = {
    {"fp16", "", "store floating-point tensors as F16 (integer and bool tensors keep their type)",
     "keep every dtype"},
    {"config", "FILE", "CompVis config.yaml to embed as metadata 'config_yaml'", "none"},
};

std::string summary(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                    uint64_t& bytes)
{
    std::map<std::string, size_t> counts;
    bytes = 0;
    for (const auto& [name, tensor] : tensors) {
        ++counts[io::dtypeNameOf(tensor)];
        bytes += uint64_t(tensor.numel()) * tensor.element_size();
    }
    std::string out;
    for (const auto& [name, count] : counts)
        out += (out.empty() ? "" : ", ") + name + " x" + std::to_string(count);
    return out;
}

// The config text, checked to be YAML so a wrong file is caught now rather than at load time.
Result<std::string> readConfig(const std::string& path)
{
    auto read = files::readRegular(path, limits::MaxYamlBytes, "config");
    if (!read)
        return read.error();
    const std::string& text = *read;
    if (auto yaml = parseYamlAsJson(text); !yaml)
        return makeError(yaml.error().code, path + ": " + yaml.error().message);
    return text;
}

bool sameFile(const std::string& a, const std::string& b)
{
    std::error_code error;
    return std::filesystem::equivalent(a, b, error) && !error;
}

} // namespace

int runConvert(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, ConvertOptions);
    if (auto exit = helpOrUsageError(
            options,
            {"convert", "[options] IN.ckpt OUT.safetensors",
             "Rewrites a PyTorch checkpoint (.ckpt/.pt/.pth; its pickle is read without "
             "executing anything) as safetensors: the state dict's tensors, with Lightning's "
             "global_step and epoch as metadata. Optimizer state, callbacks and other "
             "training entries are left out and listed. A safetensors input is rewritten "
             "too (to F16 with --fp16, or to embed a config)."},
            ConvertOptions, 2, "give an input checkpoint and an output file"))
        return *exit;
    const std::string input = options.positional()[0];
    const std::string output = options.positional()[1];
    if (sameFile(input, output)) {
        std::fprintf(stderr, "convert: the output '%s' is the input file\n", output.c_str());
        return ExitUsage;
    }
    std::string configYaml;
    if (options.has("config")) {
        auto config = readConfig(options.text("config"));
        if (!config) {
            std::fprintf(stderr, "convert: %s\n", config.error().message.c_str());
            return ExitFailure;
        }
        configYaml = std::move(config.value());
    }

    auto checkpoint = io::openCheckpointTensors(input);
    if (!checkpoint) {
        std::fprintf(stderr, "convert: %s\n", checkpoint.error().message.c_str());
        return ExitFailure;
    }
    const bool fp16 = options.has("fp16");
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    std::vector<std::string> outOfRange;
    for (const auto& [name, tensor] : checkpoint->tensors) {
        if (!fp16 || !tensor.is_floating_point() || tensor.scalar_type() == torch::kHalf) {
            tensors.emplace_back(name, tensor);
            continue;
        }
        torch::Tensor half = tensor.to(torch::kHalf);
        // F16 tops out at 65504: say which weights overflowed instead of silently writing inf.
        if ((half.isinf() & tensor.isfinite()).any().item<bool>())
            outOfRange.push_back(name);
        tensors.emplace_back(name, std::move(half));
    }
    std::map<std::string, std::string> metadata = checkpoint->metadata;
    if (!configYaml.empty())
        metadata[ConfigYamlKey] = configYaml;

    if (auto written = io::writeSafetensors(output, tensors, metadata); !written) {
        std::fprintf(stderr, "convert: %s\n", written.error().message.c_str());
        return ExitFailure;
    }
    uint64_t bytes = 0;
    const std::string dtypes = summary(tensors, bytes);
    std::printf("wrote:         %s\n", output.c_str());
    std::printf("tensors:       %zu (%s), %.2f MB of data\n", tensors.size(), dtypes.c_str(),
                double(bytes) / 1e6);
    if (checkpoint->format == io::CheckpointFormat::TorchZip) // a safetensors input's own
        for (const auto& [key, value] : checkpoint->metadata) // metadata is just passed on
            std::printf("%-14s %s\n", (key + ":").c_str(), value.c_str());
    if (!configYaml.empty())
        std::printf("config:        embedded as metadata '%s'\n", ConfigYamlKey);
    std::string skipped;
    for (const std::string& entry : checkpoint->skipped)
        skipped += (skipped.empty() ? "" : ", ") + entry;
    if (!skipped.empty())
        std::printf("skipped:       %s\n", skipped.c_str());
    for (const std::string& name : outOfRange)
        std::fprintf(stderr, "convert: warning: '%s' has values beyond the F16 range (now inf)\n",
                     name.c_str());
    return ExitOk;
}

} // namespace ldm::cli
