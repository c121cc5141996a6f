// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "checkpoint/ldm_config.h"

#include <string>

namespace ldm {

/// One-line kind of a checkpoint ("latent diffusion, text-to-image (cross-attention)",
/// "first stage only (AutoencoderKL f4)", ...).
std::string describeKind(const LdmConfig& config);

/// Multi-line human-readable description of every part, as `inspect` prints it.
std::string describeConfig(const LdmConfig& config);

} // namespace ldm
