// SPDX-License-Identifier: GPL-3.0-or-later
// ControlNet files in lllyasviel's layout: the `control_model.*` tensors of a `.pth` / `.ckpt`
// (read by our restricted unpickler) or `.safetensors`, float16 or float32. The v1.0 files that
// also carry a whole Stable Diffusion model (`model.diffusion_model.*`, ...) contribute only
// their control part. A ControlNet mirrors its base UNet's encoder, so its layout is the base's:
// the file is checked against it and a pair that does not belong together is an error, not a
// guess.
//
// Usage:
//     auto net = loadControlNet("control_v11p_sd15_seg.pth", *base.config().unet, "SD 1.x");
//     if (!net) report(net.error().message);  // names what does not fit
#pragma once

#include "core/state_dict.h"
#include "ldm/result.h"
#include "unet/control_net.h"
#include "unet/unet_config.h"

#include <string>

namespace ldm {

/// Name prefix of the ControlNet in lllyasviel's checkpoints (`ControlLDM.control_model`).
inline constexpr const char* ControlNetPrefix = "control_model.";

/// What the tensors of a ControlNet file say about its layout, read from shapes alone.
struct ControlNetSignature
{
    int64_t modelChannels = 0;      ///< input_blocks.0.0: the base width
    int64_t inChannels = 0;         ///< input_blocks.0.0: latent channels it reads
    int64_t hintChannels = 0;       ///< input_hint_block.0: channels of the hint image
    int64_t contextDim = 0;         ///< first attn2.to_k: width of the text context (0: none)
    bool linearProjections = false; ///< proj_in is Linear (SD-2.x) rather than a 1x1 conv
    size_t inputBlocks = 0;         ///< number of input_blocks (= zero_convs)
};

/// Reads the signature from `control_model.*` tensors (prefix included in the names). Fails
/// with InvalidFile when the tensors are not a ControlNet in lllyasviel's layout.
Result<ControlNetSignature> readControlNetSignature(const io::TensorMap& tensors);

/// Builds a ControlNet for the base UNet `base` from the `control_model.*` tensors of
/// `tensors` (other tensors are ignored) and loads them (float32, CPU). `baseFamily` names the
/// base in messages ("Stable Diffusion 2.x"). WeightsMismatch when the file does not fit the
/// base, naming the difference (text width, channels, levels) or every bad key. Never throws.
Result<ControlNet> controlNetFromTensors(const io::TensorMap& tensors, const UNetConfig& base,
                                         const std::string& baseFamily);

/// Opens `path` (safetensors or PyTorch zip, by content) and calls controlNetFromTensors; every
/// error starts with the path. Never throws.
Result<ControlNet> loadControlNet(const std::string& path, const UNetConfig& base,
                                  const std::string& baseFamily);

} // namespace ldm
