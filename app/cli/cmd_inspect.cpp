// SPDX-License-Identifier: GPL-3.0-or-later
// `inspect FILE`: what a checkpoint holds, how it would be built, and whether it loads.
#include "checkpoint/config_summary.h"
#include "checkpoint/control_net_file.h"
#include "checkpoint/latent_diffusion.h"
#include "cli_options.h"
#include "commands.h"
#include "core/ckpt_file.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> InspectOptions = {
    {"config", "FILE", "CompVis config.yaml of the checkpoint",
     "beside the file (<name>.yaml, config.yaml, project.yaml), metadata or detection"},
    {"weights", "ema|raw", "describe loading with these UNet weights", "as generation decides"},
    {"no-ema", "", "same as --weights raw", ""},
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
    if (auto exit = helpOrUsageError(
            options,
            {"inspect", "[options] FILE.safetensors|FILE.ckpt",
             "Prints the detected configuration of a checkpoint and any problem; exits "
             "non-zero when the file cannot be used."},
            InspectOptions, 1, "give exactly one checkpoint file"))
        return *exit;
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
    const std::string weights = options.has("no-ema") ? "raw" : options.text("weights");
    if (!weights.empty() && weights != "ema" && weights != "raw") {
        std::fprintf(stderr, "inspect: --weights must be ema or raw\n");
        return ExitUsage;
    }
    if (!weights.empty())
        loadOptions.preferEma = weights == "ema";
    // A ControlNet file: what it needs of the model it steers (a v1.0 file's SD model follows).
    const bool hasControl =
        std::any_of(file->tensors.begin(), file->tensors.end(),
                    [](const auto& t) { return t.first.rfind(ControlNetPrefix, 0) == 0; });
    if (hasControl) {
        auto control = readControlNetSignature(file->tensors);
        if (!control) {
            std::printf("problem:       %s\n", control.error().message.c_str());
            std::printf("usable:        no\n");
            return ExitFailure;
        }
        std::printf("controlnet:    %lld channels, %zu encoder blocks, %lld-channel hint, %s "
                    "text context of %lld (lllyasviel's layout)\n",
                    static_cast<long long>(control->modelChannels), control->inputBlocks,
                    static_cast<long long>(control->hintChannels),
                    control->linearProjections ? "SD-2.x-style" : "SD-1.x-style",
                    static_cast<long long>(control->contextDim));
        if (!std::any_of(file->tensors.begin(), file->tensors.end(), [](const auto& t) {
                return t.first.rfind("model.diffusion_model.", 0) == 0;
            })) {
            std::printf("usable:        with --control, on a Stable Diffusion model of the family "
                        "it was trained for\n");
            return ExitOk;
        }
        // The SD model it was trained on, inspected on its own.
        for (auto it = file->tensors.begin(); it != file->tensors.end();)
            it =
                it->first.rfind(ControlNetPrefix, 0) == 0 ? file->tensors.erase(it) : std::next(it);
    }
    // The same plan generation makes: config beside the file, completion, weight choice.
    auto plan = planLoad(file->tensors, file->metadata, loadOptions, path);
    if (!plan) {
        std::printf("problem:       %s\n", plan.error().message.c_str());
        std::printf("usable:        no\n");
        return ExitFailure;
    }
    std::printf("config from:   %s\n", plan->configSource.c_str());
    std::printf("%s", describeConfig(plan->config).c_str());
    if (plan->config.unet) {
        const WeightChoice& choice = plan->weights;
        std::printf("EMA weights:   %s\n", choice.hasEma ? "present" : "absent");
        std::printf("sampling with: %s weights (%s)\n",
                    choice.useEma ? "EMA (model_ema.*)" : "raw (model.diffusion_model.*)",
                    choice.reason.c_str());
    }

    auto model = LatentDiffusion::fromPlan(*plan, file->tensors);
    if (!model) {
        std::printf("problem:       %s\n", model.error().message.c_str());
        std::printf("usable:        no\n");
        return ExitFailure;
    }
    std::printf("parameters:    %lld\n", static_cast<long long>(model->parameterCount()));
    std::printf("usable:        yes\n");
    return ExitOk;
}

} // namespace ldm::cli
