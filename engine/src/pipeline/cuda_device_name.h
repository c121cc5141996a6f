// SPDX-License-Identifier: GPL-3.0-or-later
// The name of a CUDA device ("NVIDIA H100 80GB HBM3"). The LibTorch 1.13 build we link has no
// CUDA headers, so the name comes from the CUDA driver library itself, loaded at run time.
#pragma once

#include <string>

namespace ldm {

/// The driver's name for CUDA device `index`; empty when no CUDA driver is installed or it
/// does not know the device.
std::string cudaDeviceName(int index);

} // namespace ldm
