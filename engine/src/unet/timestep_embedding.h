// SPDX-License-Identifier: GPL-3.0-or-later
// Sinusoidal timestep embedding (`timestep_embedding` in diffusionmodules/util.py).
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// Embeds timesteps [B] (integer or float) as [B, dim] float32 on the same device:
/// half = dim / 2, f_i = exp(-ln(maxPeriod) * i / half), output [cos(t f), sin(t f)] (cos
/// first), plus a zero column when dim is odd. Computed in float32 with the reference's
/// operation order, so integer timesteps give the reference's bits.
torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int64_t dim,
                                double maxPeriod = 10000.0);

} // namespace ldm::unet
