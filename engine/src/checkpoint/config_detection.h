// SPDX-License-Identifier: GPL-3.0-or-later
// Reconstructs model configurations from a checkpoint's tensor names and shapes, for files
// that come without a config.yaml or metadata. Everything structural can be read off the
// weights; what cannot (attention head counts, SpatialRescaler stages) is guessed from the
// conventions of the released models and listed in LdmConfig::guesses.
#pragma once

#include "checkpoint/ldm_config.h"

#include <map>
#include <string>
#include <vector>

namespace ldm {

/// Tensor name -> shape.
using ShapeMap = std::map<std::string, std::vector<int64_t>>;

/// UNet kwargs from `prefix`-ed UNet tensors (e.g. "model.diffusion_model.").
Result<UNetConfig> detectUNetConfig(const ShapeMap& shapes, const std::string& prefix,
                                    std::vector<std::string>& guesses);

/// Autoencoder kwargs from `prefix`-ed first-stage tensors ("first_stage_model." or "").
Result<AutoencoderConfig> detectFirstStageConfig(const ShapeMap& shapes,
                                                 const std::string& prefix);

/// BERTEmbedder kwargs from `prefix`-ed tensors ("cond_stage_model.").
Result<TextEncoderConfig> detectTextEncoderConfig(const ShapeMap& shapes,
                                                  const std::string& prefix,
                                                  std::vector<std::string>& guesses);

/// CLIP text model kwargs from `prefix`-ed FrozenCLIPEmbedder tensors ("cond_stage_model.").
/// Heads (width / 64), LayerNorm eps and activation are the released models' conventions.
Result<ClipTextConfig> detectClipTextConfig(const ShapeMap& shapes, const std::string& prefix,
                                            std::vector<std::string>& guesses);
/// OpenCLIP text tower sizes from `prefix`-ed FrozenOpenCLIPEmbedder tensors. Heads
/// (width / 64) are the released models' convention.
Result<OpenClipTextConfig> detectOpenClipTextConfig(const ShapeMap& shapes,
                                                    const std::string& prefix,
                                                    std::vector<std::string>& guesses);
/// Fills every part of `config` the checkpoint has tensors for but the config lacks, infers
/// the conditioning key when unset, and records guesses.
Result<void> completeConfigFromShapes(const ShapeMap& shapes, LdmConfig& config);

/// True when some name starts with `prefix`.
bool hasPrefix(const ShapeMap& shapes, const std::string& prefix);

} // namespace ldm
