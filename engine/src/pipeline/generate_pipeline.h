// SPDX-License-Identifier: GPL-3.0-or-later
// Pictures from noise: txt2img and paint (generate_pipeline.cpp), and the edits that share its
// sampling loop (edit_pipeline.h).
#pragma once

#include "pipeline/engine_state.h"

#include <torch/torch.h>

namespace ldm {

/// Runs task "txt2img", "paint", "img2img", "inpaint" or "outpaint".
Result<GenerateResult> generateFromNoise(const LoadedModel& model, const GenerateRequest& request,
                                         torch::Device device);

} // namespace ldm
