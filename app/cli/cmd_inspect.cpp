// SPDX-License-Identifier: GPL-3.0-or-later
// `inspect FILE`: what a checkpoint holds, how it would be built, and whether it loads.
#include "checkpoint/config_detection.h"
#include "checkpoint/config_summary.h"
#include "checkpoint/latent_diffusion.h"
#include "checkpoint/yaml_json.h"
#include "cli_options.h"
#include "commands.h"
#include "core/ckpt_file.h"

#include <cstdio>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> InspectOptions = {
    {"config", "FILE", "CompVis config.yaml of the checkpoint", "metadata or detection"},
    {"no-ema", "", "describe loading with the non-EMA UNet weights", ""},
};

std::string dtypeSummary(const io::TensorMap& tensors, uint64_t& bytes)
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

} // namespace

int runInspect(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, InspectOptions);
    if (options.helpRequested()) {
        printHelp("inspect", "[options] FILE.safetensors|FILE.ckpt",
                  "Prints the detected configuration of a checkpoint and any problem; exits "
                  "non-zero when the file cannot be used.",
                  InspectOptions);
        return ExitOk;
    }
    if (!options.error().empty() || options.positional().size() != 1) {
        std::fprintf(stderr, "inspect: %s\n",
                     options.error().empty() ? "give exactly one checkpoint file"
                                             : options.error().c_str());
        return ExitUsage;
    }
    const std::string path = options.positional()[0];
    auto file = io::openCheckpointTensors(path); // safetensors or PyTorch .ckpt, by content
    if (!file) {
        std::fprintf(stderr, "inspect: %s\n", file.error().message.c_str());
        return ExitFailure;
    }
    uint64_t bytes = 0;
    const std::string dtypes = dtypeSummary(file->tensors, bytes);
    std::printf("file:          %s\n", path.c_str());
    std::printf("tensors:       %zu (%s), %.2f MB of data\n", file->tensors.size(),
                dtypes.c_str(), double(bytes) / 1e6);
    if (file->format == io::CheckpointFormat::TorchZip) {
        std::string skipped;
        for (const std::string& entry : file->skipped)
            skipped += (skipped.empty() ? "" : ", ") + entry;
        std::printf("format:        PyTorch zip checkpoint (read without executing its pickle)\n");
        for (const auto& [key, value] : file->metadata)
            std::printf("%-14s %s\n", (key + ":").c_str(), value.c_str());
        if (!skipped.empty())
            std::printf("skipped:       %s\n", skipped.c_str());
    }

    LoadOptions loadOptions;
    loadOptions.configYaml = options.text("config");
    if (options.has("no-ema"))
        loadOptions.preferEma = false;
    Result<LdmConfig> config = LdmConfig{};
    if (!loadOptions.configYaml.empty()) {
        auto yaml = readYamlAsJson(loadOptions.configYaml);
        config = yaml ? LdmConfig::fromCompVisYaml(*yaml) : Result<LdmConfig>(yaml.error());
    } else {
        config = LdmConfig::fromMetadata(file->metadata);
    }
    if (config) {
        ShapeMap shapes;
        for (const auto& [name, tensor] : file->tensors)
            shapes[name] = tensor.sizes().vec();
        if (auto ok = completeConfigFromShapes(shapes, *config); !ok)
            config = ok.error();
    }
    if (!config) {
        std::printf("problem:       %s\n", config.error().message.c_str());
        return ExitFailure;
    }
    std::printf("config from:   %s\n", !loadOptions.configYaml.empty() ? "config.yaml"
                                       : config->guesses.empty()       ? "metadata / weights"
                                                                       : "detected from weights");
    std::printf("%s", describeConfig(*config).c_str());

    auto model = LatentDiffusion::load(path, loadOptions);
    if (!model) {
        std::printf("problem:       %s\n", model.error().message.c_str());
        std::printf("usable:        no\n");
        return ExitFailure;
    }
    std::printf("parameters:    %lld\n", static_cast<long long>(model->parameterCount()));
    std::printf("EMA weights:   %s\n", model->hasEma() ? (model->usesEma() ? "present, used"
                                                                           : "present, not used")
                                                       : "absent");
    std::printf("usable:        yes\n");
    return ExitOk;
}

} // namespace ldm::cli
