// SPDX-License-Identifier: GPL-3.0-or-later
// Completes a checkpoint's own configuration metadata from its tensors' shapes.
//
// Files in the wild carry partial configurations (a `ddconfig` without `embed_dim`, a UNet
// block without `num_res_blocks`, ...). Refusing them helps nobody when the weights say what is
// missing, so every metadata part is laid over the configuration detected from the shapes:
// what the file states wins, what it omits comes from the shapes, and what neither can tell
// keeps the family's documented default (recorded as a guess by the detector).
#pragma once

#include "checkpoint/config_detection.h"

#include <map>
#include <string>
#include <vector>

namespace ldm {

/// Returns `metadata` with its `ddconfig`/`embed_dim`/`n_embed` and `unet` (or a UNet-only
/// `config`) entries completed from `shapes`. Entries the metadata lacks entirely are left
/// absent (the loader detects those parts whole); unparsable JSON is left as it is so the
/// reader reports it. Keys filled in are listed in `filled` ("embed_dim (from the shapes)").
std::map<std::string, std::string>
completeMetadataFromShapes(const std::map<std::string, std::string>& metadata,
                           const ShapeMap& shapes, std::vector<std::string>& filled);

} // namespace ldm
