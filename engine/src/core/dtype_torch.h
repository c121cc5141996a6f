// SPDX-License-Identifier: GPL-3.0-or-later
// The torch element type of a checkpoint dtype, shared by the safetensors and .ckpt readers.
#pragma once

#include "core/safetensors_header.h"

#include <c10/core/ScalarType.h>

namespace ldm::io {

/// The torch element type of a safetensors dtype (also used for PyTorch checkpoint storages).
c10::ScalarType scalarTypeOf(DType dtype);

} // namespace ldm::io
