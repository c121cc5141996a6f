// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_control.h"

#include "commands.h"
#include "io/image_files.h"

#include <algorithm>
#include <cstdio>

namespace ldm::cli {

void addControlOptions(const std::string& task, std::vector<OptionSpec>& specs)
{
    if (task != "txt2img" && task != "paint")
        return;
    specs.push_back({"control", "FILE",
                     "ControlNet for the model (lllyasviel's layout: control_*.pth or "
                     ".safetensors, trained for the model's family)" +
                         std::string(task == "paint" ? "; --map is then its RGB control map" : ""),
                     ""});
    if (task == "txt2img")
        specs.push_back({"hint", "IMAGE", "the ControlNet's control map (with --control)", ""});
    specs.push_back({"control-strength", "S", "how strongly the ControlNet steers, 0..2", "1"});
    specs.push_back(
        {"control-start", "F", "fraction of the steps where the ControlNet starts", "0"});
    specs.push_back({"control-end", "F", "fraction of the steps after which it stops", "1"});
    specs.push_back({"guess-mode", "",
                     "ControlNet guess mode: soft per-level scales and no control on the "
                     "negative prompt, so it follows the map even without a prompt",
                     ""});
}

int readControlSettings(const std::string& task, Options& options, GenerateRequest& request)
{
    if (!options.has("control")) {
        for (const char* name :
             {"hint", "control-strength", "control-start", "control-end", "guess-mode"})
            if (options.has(name)) {
                std::fprintf(stderr, "%s: --%s needs --control FILE\n", task.c_str(), name);
                return ExitUsage;
            }
        return ExitOk;
    }
    ControlRecipe& settings = request.recipe.control;
    settings.strength = options.number("control-strength", 1.0, 0.0, 2.0);
    settings.start = options.number("control-start", 0.0, 0.0, 1.0);
    settings.end = options.number("control-end", 1.0, 0.0, 1.0);
    settings.guessMode = options.has("guess-mode");
    if (!options.error().empty()) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), options.error().c_str());
        return ExitUsage;
    }
    if (settings.start > settings.end) {
        std::fprintf(stderr, "%s: --control-start must not be after --control-end\n", task.c_str());
        return ExitUsage;
    }
    const char* hintOption = task == "paint" ? "map" : "hint";
    if (!options.has(hintOption)) {
        std::fprintf(stderr, "%s: give the ControlNet's control map with --%s IMAGE\n",
                     task.c_str(), hintOption);
        return ExitUsage;
    }
    request.control.path = options.text("control");
    return ExitOk;
}

int readControlHint(const std::string& task, const Options& options, int latentFactor,
                    GenerateRequest& request)
{
    if (request.control.path.empty())
        return ExitOk;
    auto hint = readImage(options.text(task == "paint" ? "map" : "hint"));
    if (!hint) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), hint.error().message.c_str());
        return ExitFailure;
    }
    request.control.hint = std::move(hint.value());
    const int factor = std::max(1, latentFactor);
    if (!options.has("width"))
        request.recipe.width = std::max(factor, request.control.hint.width / factor * factor);
    if (!options.has("height"))
        request.recipe.height = std::max(factor, request.control.hint.height / factor * factor);
    return ExitOk;
}

} // namespace ldm::cli
