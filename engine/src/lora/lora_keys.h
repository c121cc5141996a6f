// SPDX-License-Identifier: GPL-3.0-or-later
// Which of our layers a kohya / A1111 LoRA module names.
//
// kohya flattens a module's path with '_' and prefixes it with the part it adapts:
//   lora_te_text_model_encoder_layers_0_self_attn_q_proj    (Hugging Face CLIP names)
//   lora_unet_down_blocks_0_attentions_0_proj_in            (diffusers' UNet names)
//   lora_unet_input_blocks_1_1_proj_in                      (the LDM names some tools write)
// Our modules carry the CompVis (LDM) names, so diffusers' block names are turned into LDM ones
// from the UNet's layout (ResBlocks per level), as A1111's convert_diffusers_name_to_compvis
// does for SD's fixed layout, and the result is looked up among our flattened names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ldm::lora {

/// Our flattened LDM module names (without "model.diffusion_model.") that a kohya UNet module
/// name (without "lora_unet_") may stand for, most likely first. `numResBlocks` is the UNet's
/// `num_res_blocks`. A name that is already LDM-style comes back unchanged.
std::vector<std::string> unetModuleCandidates(const std::string& kohyaName, int64_t numResBlocks);

/// `path` with every '.' turned into '_' (kohya's flattening).
std::string flattenModulePath(const std::string& path);

} // namespace ldm::lora
