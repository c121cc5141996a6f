// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ldm {

/// Reads a YAML file (a CompVis config.yaml) into JSON so every config struct parses one
/// format. Scalars become int, float, bool or null when they read as such, else strings.
Result<nlohmann::json> readYamlAsJson(const std::string& path);

/// Same for YAML text already in memory.
Result<nlohmann::json> parseYamlAsJson(const std::string& text);

} // namespace ldm
