// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A tiny random-weight latent diffusion model written for tests, so the real engine runs end
// to end without shipped weights. Neither Qt nor torch appear here: the implementation includes
// the torch headers and is compiled on its own.

#include <string>

namespace ldm::test {

struct TinyModelOptions
{
    int classes = 3;       ///< map classes (ids 0..classes-1), named and coloured in the file
    bool namedClasses = true; ///< false: the file names no classes (the app's palette is used)
};

/// Writes a map-conditioned (concat) model: KL-f4 autoencoder, a two-level UNet without
/// attention and a spatial rescaler over the one-hot map. Returns "" or what went wrong.
std::string writeTinyMapModel(const std::string& path, const TinyModelOptions& options = {});

} // namespace ldm::test
