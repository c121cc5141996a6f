// SPDX-License-Identifier: GPL-3.0-or-later
// The concat input of an inpainting UNet, built the way each release trained it: CompVis'
// inpainting_big (scripts/inpaint.py) and Stable Diffusion's LatentInpaintDiffusion
// (scripts/gradio/inpainting.py) differ in channel order, in how the fill area of the masked
// image is blanked, in the mask's range and in the latent's scale (LdmConfig::inpaint). One
// function serves the engine and the parity tests, so what is checked is what runs.
#pragma once

#include "checkpoint/latent_diffusion.h"

#include <torch/torch.h>

namespace ldm {

/// The pieces of an inpainting model's condition, each as the reference names it.
struct InpaintInputs
{
    torch::Tensor maskedImage;  ///< [1, 3, H, W]: the input with the fill area blanked
    torch::Tensor latentMask;   ///< [1, 1, h, w]: the fill mask resized by nearest, in {0, 1}
    torch::Tensor maskedLatent; ///< the masked image through the first stage (SD: scaled)
    torch::Tensor concat;       ///< what is concatenated to x_t, channel order of the release
};

/// Builds the condition for `image` ([1, 3, H, W] in [−1, 1]) and `fill` ([1, 1, H, W], 1 =
/// area to fill, 0 = kept) on the image's device. `encodeNoise` ([1, latent, h, w]) draws the
/// KL posterior sample as the SD reference does; undefined gives the posterior mean. Requires
/// model.config().inpaint != InpaintConcat::None and a first stage; throws c10::Error on
/// tensors of the wrong shape, like the modules it calls.
InpaintInputs makeInpaintInputs(const LatentDiffusion& model, const torch::Tensor& image,
                                const torch::Tensor& fill, const torch::Tensor& encodeNoise = {});

} // namespace ldm
