// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Tiny random-weight models laid out like shipped ones, so the app's tests run the real engine
// end to end without weights. The models come from tests/support/tiny_models (the engine's
// pipeline tests use the same ones); neither Qt nor torch appear here.

#include <string>

namespace ldm::test {

/// Writes `<modelsDir>/<name>/model.safetensors` (plus its tokenizer for "text") from a tiny
/// model of `kind`: "map" (10 landscape classes, f4), "text", "superres" or "class" (see
/// tests/support/tiny_models.h). Returns "" or what went wrong.
std::string installTinyModel(const std::string& modelsDir, const std::string& name,
                             const std::string& kind);

} // namespace ldm::test
