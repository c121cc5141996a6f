// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "checkpoint/ldm_config.h"

#include <string>

namespace ldm {

/// One-line kind of a checkpoint ("latent diffusion, text-to-image (cross-attention)",
/// "first stage only (AutoencoderKL f4)", ...).
std::string describeKind(const LdmConfig& config);
/// The family people know the checkpoint by: "Stable Diffusion 1.x", "CompVis LDM
/// text-to-image", "LDM super-resolution", ... ("" when none fits).
std::string describeFamily(const LdmConfig& config);

/// Multi-line human-readable description of every part, as `inspect` prints it.
std::string describeConfig(const LdmConfig& config);

} // namespace ldm
