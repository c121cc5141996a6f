// SPDX-License-Identifier: GPL-3.0-or-later
// Turns a request's conditions into the ε-model a sampler calls: cross-attention context
// (text or class), concat input (semantic map or low-resolution image), and classifier-free
// guidance with one batched UNet call per step, unconditional half first, as the reference.
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "unet/control_guidance.h"
#include "sampling/sampler.h"

#include <torch/torch.h>

namespace ldm {

/// Conditions of one request, already encoded (batch 1; undefined when not used).
struct Conditions {
    torch::Tensor context;        ///< cross-attention context [1, n, d]
    torch::Tensor uncondContext;  ///< the negative/empty prompt's context
    torch::Tensor concat;         ///< concat input at latent size [1, k, h, w]
    torch::Tensor uncondConcat;   ///< its unconditional counterpart (dropped map)
    torch::Tensor classLabels;    ///< class-conditional label_emb input [1]
    ControlInput control;         ///< a ControlNet and its hint (disabled when none)
};

/// ε(x, t) with guidance `scale` (1 = conditional only, one pass). Concat inputs are cropped
/// or must match x's spatial size; `concatOffset` selects a window for tiled sampling.
EpsModel makeGuidedEpsModel(const LatentDiffusion& model, const Conditions& conditions,
                            double scale);

/// Same as a function of an explicit concat window, for tiles: `concat` of the tile.
torch::Tensor guidedEps(const LatentDiffusion& model, const Conditions& conditions, double scale,
                        const torch::Tensor& x, double t, const torch::Tensor& concat,
                        const torch::Tensor& uncondConcat);

} // namespace ldm
