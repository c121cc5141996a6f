// SPDX-License-Identifier: GPL-3.0-or-later
// Super-resolution (upscale_pipeline.cpp): a low-resolution input through a latent upscaler,
// tile by tile.
#pragma once

#include "pipeline/engine_state.h"

#include <torch/torch.h>

namespace ldm {

/// Runs task "upscale" (tiled).
Result<GenerateResult> generateUpscale(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device);

} // namespace ldm
