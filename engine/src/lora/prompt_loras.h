// SPDX-License-Identifier: GPL-3.0-or-later
// A prompt's `<lora:name:weight>` tags made real for one request: the files found in the LoRA
// folder, merged into the model (or the merge of the previous request taken out), the tags
// taken out of the text the tokenizer reads, and A1111's "Lora hashes" for the recipe.
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "ldm/result.h"
#include "lora/lora_patcher.h"

#include <string>
#include <vector>

namespace ldm::lora {

/// What applyPromptLoras() did.
struct PromptLoras
{
    std::string prompt; ///< the prompt without its extra-network tags
    std::string hashes; ///< A1111 "Lora hashes": "name: 0123456789ab, ..."; "" = none
    std::vector<std::string> warnings; ///< unmatched modules, tags of other kinds removed
};

/// Merges the LoRAs `prompt` names (found in `folder`, see findLoraFile()) into `model` through
/// `patcher`, replacing whatever it merged before; a prompt without tags takes every LoRA out.
/// A tag with a bad multiplier, a LoRA without a folder to look in, a missing file or one that
/// does not fit the model is an InvalidRequest / WeightsMismatch, and then the model is left as
/// it was.
Result<PromptLoras> applyPromptLoras(LoraPatcher& patcher, LatentDiffusion& model,
                                     const std::string& prompt, const std::string& folder);

} // namespace ldm::lora
