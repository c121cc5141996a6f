// SPDX-License-Identifier: GPL-3.0-or-later
// Prompt → cross-attention context through the model's tokenizer and text encoder
// (prompt_encoding.cpp explains how each kind of encoder reads a prompt).
#pragma once

#include "ldm/recipe.h"
#include "pipeline/engine_state.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ldm {

/// The prompt and negative prompt of a request as cross-attention contexts of equal length.
struct EncodedPrompts
{
    torch::Tensor cond, uncond;
    std::vector<std::string> warnings; ///< truncation, unbalanced brackets, ...
    std::string tiHashes;              ///< A1111 "TI hashes" of the embeddings the prompts named
};
/// Text → contexts through the model's tokenizer and text encoder; CLIP and OpenCLIP prompts
/// may name the textual-inversion embeddings of `embeddingsDir`.
Result<EncodedPrompts> encodePrompts(const LoadedModel& model, const Recipe& recipe,
                                     torch::Device device, const std::string& embeddingsDir = {});

} // namespace ldm
