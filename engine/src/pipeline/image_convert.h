// SPDX-License-Identifier: GPL-3.0-or-later
// Conversions between the public pixel types and tensors, plus content hashes.
#pragma once

#include "ldm/engine.h"

#include <torch/torch.h>

#include <string>

namespace ldm {

/// RGB bytes → float [1, 3, H, W] in [−1, 1] (x/127.5 − 1, as the reference).
torch::Tensor imageToTensor(const RgbImage& image);
/// [1, 3, H, W] (or [3, H, W]) in [−1, 1] → RGB bytes: clamp((x+1)/2, 0, 1)·255, truncated
/// like the reference's astype(uint8).
RgbImage tensorToImage(const torch::Tensor& image);
/// Class ids → one-hot float [1, classes, H, W]. Ids ≥ classes are rejected by the caller.
torch::Tensor labelsToOneHot(const LabelMap& map, int64_t classes);

/// First `digits` hex digits of the SHA-256 of a byte range.
std::string sha256Hex(const void* data, size_t size, size_t digits = 10);
/// Same for a file (streamed); empty string when unreadable.
std::string sha256OfFile(const std::string& path, size_t digits = 10);

} // namespace ldm
