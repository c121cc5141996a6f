// SPDX-License-Identifier: GPL-3.0-or-later
// Tiny random-weight checkpoints written to a temporary folder, so pipeline tests run the real
// engine end to end without shipped weights. Outputs are noise-like; tests check behaviour
// (determinism, cancel, tiling, errors), not image quality.
#pragma once

#include <string>

namespace ldm::testing {

/// Writes `<dir>/<name>.safetensors` and returns its path. Kinds:
///   "text"    cross-attention UNet + text encoder + tokenizer (`<dir>/tiny.model`)
///   "map"     concat UNet on a 10-class one-hot map (SpatialRescaler, 2 stages)
///   "superres" concat UNet on the low-resolution image
///   "class"   class-conditional UNet (label embedding, 5 classes)
///   "sd1"     an SD-1.x single file as people download it: CLIP text encoder
///             (`cond_stage_model.transformer.text_model.*`, width 64, 2 layers), UNet with
///             num_heads 8, schedule buffers, float16 weights and no configuration metadata
///             (the loader must detect everything, as for a real file)
///   "sd1_inpaint" the same layout as an SD inpainting file: the UNet takes x_t, the mask and
///             the masked image's latent (in_channels 2 x 3 + 1)
///   "sd2_inpaint" the same for SD-2.x (OpenCLIP), as 512-inpainting-ema is laid out
///   "bert"    a CompVis text-to-image layout: BERTEmbedder with the bert-base-uncased
///             vocabulary size (30522 ids, 77 tokens) and no tokenizer of its own, so prompts go
///             through the shipped WordPiece tokenizer
///   "sd2"     the same for SD-2.x: OpenCLIP text tower (`cond_stage_model.model.*`, width 64,
///             2 layers), UNet with linear transformer projections and 64 channels per head
/// The first stage is a small f4 AutoencoderKL in every case.
std::string writeTinyModel(const std::string& dir, const std::string& kind);

/// A fresh empty temporary folder.
std::string makeTempDir(const std::string& tag);

} // namespace ldm::testing
