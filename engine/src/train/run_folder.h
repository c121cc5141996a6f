// SPDX-License-Identifier: GPL-3.0-or-later
// Files of a training run folder and the weight files it produces.
//
// Layout (runs/<name>/):
//     checkpoint/          the latest resumable state, replaced as a whole (see commitFolder)
//         model.safetensors  weights being trained (standalone CompVis names + metadata)
//         ema.safetensors    EMA weights (what ships), same format
//         optimizer.pt       AdamW state (torch::save)
//         state.json         step, config, loss history
//     snapshots/           EMA weights kept every `snapshot_every` steps
//     samples/             sample grids; samples.png is the latest
//     loss.png             loss curve
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/result.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <string>

namespace ldm::train {

/// Writes text atomically (temporary file + rename).
Result<void> writeTextFile(const std::string& path, const std::string& text);
/// Reads and parses a JSON file; InvalidFile naming the file when it cannot.
Result<nlohmann::json> readJsonFile(const std::string& path);

/// Replaces folder `target` by the finished folder `staged` so a crash at any moment leaves
/// either the old or the new checkpoint: target → target.old, staged → target, drop .old.
Result<void> commitFolder(const std::string& staged, const std::string& target);
/// The checkpoint folder to resume from: `runDir`/checkpoint, or checkpoint.old when a crash
/// interrupted commitFolder. Empty when there is none.
std::string findCheckpointFolder(const std::string& runDir);

/// Metadata of a standalone first-stage file: `ddconfig`, `embed_dim` (what
/// AutoencoderConfig::fromMetadata and LatentDiffusion::load read), `name` and `extra`.
std::map<std::string, std::string>
autoencoderMetadata(const AutoencoderConfig& config, const std::string& name,
                    const std::map<std::string, std::string>& extra);

/// Saves a first stage under its standalone CompVis names (`encoder.*`, `decoder.*`,
/// `quant_conv.*`, `post_quant_conv.*`) in `dtype` with autoencoderMetadata().
Result<void> saveAutoencoder(const std::string& path, const FirstStage& stage,
                             torch::ScalarType dtype, const std::string& name,
                             const std::map<std::string, std::string>& extra = {});

/// Loads a standalone first-stage file written by saveAutoencoder (config from its metadata).
Result<FirstStage> loadAutoencoder(const std::string& path);

/// Rewrites a weight file with every floating tensor converted to `dtype` (fp16 for shipping),
/// keeping names and metadata. Checks that the result loads as a first stage.
Result<void> convertAutoencoderFile(const std::string& source, const std::string& target,
                                    torch::ScalarType dtype);

} // namespace ldm::train
