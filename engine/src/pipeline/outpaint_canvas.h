// SPDX-License-Identifier: GPL-3.0-or-later
// Outpainting as inpainting on a larger canvas: the input is grown by the requested pixels per
// side, the new area becomes the fill mask, and its pixels start as the nearest input pixel
// (edge extension), which is what img2img-style starts (strength < 1) and the ordinary
// models' re-noising see there. Torch-free: plain bytes in, plain bytes out.
#pragma once

#include "ldm/engine.h"

namespace ldm {

/// The canvas an outpaint samples on.
struct OutpaintCanvas
{
    RgbImage image;      ///< the input at (growth.left, growth.top), edges extended outward
    RgbImage mask;       ///< white over the new area, black over the input
    CanvasGrowth growth; ///< the growth actually used, after rounding
};

/// Grows `input` by `requested`. An axis that grows is rounded up so that its canvas side is a
/// multiple of `factor` (the model's: latent factor · 2^(UNet levels − 1)) (the extra pixels go to
/// the right or bottom side when it grows, else to the left or top); an axis that does not grow
/// must already be a multiple. The canvas must stay within `maxSide` per side and
/// limits::MaxImagePixels in all. Negative or zero growth and every limit give InvalidRequest with
/// a message that says what to change.
Result<OutpaintCanvas> makeOutpaintCanvas(const RgbImage& input, const CanvasGrowth& requested,
                                          int factor, int maxSide);

} // namespace ldm
