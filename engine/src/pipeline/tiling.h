// SPDX-License-Identifier: GPL-3.0-or-later
// Overlapping tiles with smooth blending weights, for running a network over an image larger
// than it can take at once (memory bounded by the tile, not the image).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace ldm {

/// Start offsets covering [0, length) with windows of `tile` overlapping by at least `overlap`.
std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap);

/// Blending weights [1, 1, tileH, tileW] for a tile at (y, x) of an area h × w: a linear ramp
/// over `overlap` pixels on every edge that borders another tile, 1 elsewhere. Summing the
/// weighted tiles and dividing by the summed weights removes seams.
torch::Tensor tileWeights(int64_t y, int64_t x, int64_t tileH, int64_t tileW, int64_t h, int64_t w,
                          int64_t overlap);

/// Applies `fn` to overlapping tiles of `input` [B, C, H, W] (tile edge `tile`, overlap
/// `overlap`, in input pixels) and blends the outputs. `fn` may change the channel count and
/// scale the spatial size by `outScale` (the decoder: 4 or 8).
torch::Tensor runTiled(const torch::Tensor& input, int64_t tile, int64_t overlap, int64_t outScale,
                       const std::function<torch::Tensor(const torch::Tensor&, int64_t y,
                                                         int64_t x)>& fn);

} // namespace ldm
