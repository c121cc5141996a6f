// SPDX-License-Identifier: GPL-3.0-or-later
// The ControlNet options of `txt2img` and `paint`: --control FILE with its hint (--hint for
// txt2img; paint's --map, read as RGB), strength, step range and guess mode.
#pragma once

#include "cli_options.h"
#include "ldm/engine.h"

#include <string>
#include <vector>

namespace ldm::cli {

/// Appends the ControlNet options a task accepts (txt2img and paint; none for the others).
void addControlOptions(const std::string& task, std::vector<OptionSpec>& specs);

/// Reads the ControlNet settings (--control, --control-strength, --control-start,
/// --control-end, --guess-mode) into request.recipe.control and request.control.path, before
/// any model loads. Returns ExitOk, or prints the problem and returns ExitUsage.
int readControlSettings(const std::string& task, Options& options, GenerateRequest& request);

/// With --control: reads its hint image (--hint; paint: --map) into request.control.hint. The
/// output size defaults to the hint's, rounded down to a multiple of `latentFactor`, unless
/// --width / --height were given. Returns ExitOk, or prints the problem and returns ExitUsage /
/// ExitFailure.
int readControlHint(const std::string& task, const Options& options, int latentFactor,
                    GenerateRequest& request);

} // namespace ldm::cli
