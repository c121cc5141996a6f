// SPDX-License-Identifier: GPL-3.0-or-later
// Where the shipped models live and which one serves which task.
#pragma once

#include <string>
#include <vector>

namespace ldm {

/// The shipped-models folder: `explicitDir` when given, else $LDM_MODEL_DIR, else the first of
/// <exe>/../share/latent-canvas/models (installed) and <exe>/../../resources/models (build
/// tree) that exists. Empty when none does.
std::string findModelDir(const std::string& explicitDir);

/// Names of subfolders of `modelDir` holding a model.safetensors with a UNet (generators).
std::vector<std::string> listShippedModels(const std::string& modelDir);

/// The shipped model for a task: "landscape" for txt2img and paint, "superres" for upscale.
std::string defaultModelName(const std::string& task);

/// `nameOrPath` when it is an existing file (a FIFO or device too: loading refuses those with a
/// message that says what they are), else modelDir/name/model.safetensors when that exists,
/// else empty.
std::string resolveModelPath(const std::string& modelDir, const std::string& nameOrPath);

} // namespace ldm
