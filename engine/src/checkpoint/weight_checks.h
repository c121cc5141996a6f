// SPDX-License-Identifier: GPL-3.0-or-later
// Checks of a checkpoint made before and after its networks are built, so a file that lies
// costs a message instead of gigabytes or a black picture:
//  - before building: the configuration (from a config.yaml, the file's metadata or detection)
//    must describe the tensors the file holds. Every size that decides how large a network
//    is (widths, levels, blocks per level, layers, vocabulary) is compared with what the
//    tensors' shapes say, so a metadata `model_channels: 4096` over 320-wide weights is refused
//    before 6 GB are allocated, and no network larger than the file's own tensors is built.
//  - after loading: every weight that will run must be finite. NaN or infinite values make
//    every picture black or noise, so this is an error naming the first bad tensor, not a
//    warning: nothing useful can be generated from such a file, and saying so at load time
//    points at the file instead of at the sampler settings.
#pragma once

#include "checkpoint/config_detection.h"
#include "checkpoint/ldm_config.h"
#include "core/state_dict.h"

#include <string>

namespace ldm {

/// Compares the sizes in `config` with those the shapes determine, for each part the config
/// has. A part the config describes but the file holds no weights for is refused too (it
/// would be built only to fail). Errors are InvalidFile naming the part, the key, and both
/// values; `source` says where the config came from ("the file's metadata").
Result<void> checkConfigAgainstShapes(const LdmConfig& config, const ShapeMap& shapes,
                                      const std::string& source);

/// Refuses a tensor with a dimension of length 0. Such a tensor costs no bytes in the file, so
/// its other dimensions can claim any size (a [1000000000, 0, 3, 3] stem conv); every size the
/// loaders take from shapes is then backed by data the file really holds. `what` names the
/// file's kind in the message ("checkpoint", "ControlNet").
Result<void> checkNoEmptyWeights(const ShapeMap& shapes, const std::string& what);

/// The first floating-point tensor of `tensors` (by name) holding NaN or an infinity, as an
/// InvalidFile error; nothing when all are finite.
Result<void> checkFiniteWeights(const io::TensorMap& tensors);

} // namespace ldm
