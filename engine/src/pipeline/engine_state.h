// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's private state: a loaded model with everything generation needs. The pipelines
// that use it declare themselves in their own headers (request_monitor.h, prompt_encoding.h,
// generate_pipeline.h, edit_pipeline.h, upscale_pipeline.h).
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "ldm/engine.h"
#include "pipeline/latent_projection.h"
#include "prompt/bert_tokenizer.h"
#include "prompt/clip_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "unet/control_net.h"

#include <optional>
#include <string>

namespace ldm {

/// The ControlNet last used with a base model, kept for the next request.
struct LoadedControlNet
{
    std::string path;
    std::string name; ///< file name without folder
    std::string hash; ///< short sha256 of the file
    ControlNet net{nullptr};
};

/// A loaded model with everything generation needs.
struct LoadedModel
{
    LatentDiffusion diffusion;
    ModelInfo info;
    std::optional<Tokenizer> tokenizer;                 ///< our sentencepiece models
    std::optional<prompt::ClipTokenizer> clipTokenizer; ///< CLIP text encoders (SD-1.x)
    std::optional<prompt::BertTokenizer> bertTokenizer; ///< CompVis BERTEmbedder models
    LatentProjection projection;
    std::optional<LoadedControlNet> controlNet; ///< checked against this model when loaded
};

} // namespace ldm
