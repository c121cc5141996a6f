// SPDX-License-Identifier: GPL-3.0-or-later
// Where the time of one forward pass goes, per ATen operator, to find what a speed-up should
// target (memory-bound norms and softmax vs the GEMMs that the FLOP count sees).
#pragma once

#include "ldm/result.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ldm {

/// Self time of one operator name (time inside it minus time in the operators it called).
struct OpTime
{
    std::string name;       ///< "aten::conv2d", ... (with input shapes when asked)
    double selfSeconds = 0; ///< summed over calls
    int64_t calls = 0;
};

/// Runs `fn` once under LibTorch's CPU profiler (calling thread only; intra-op threads are
/// part of the operator that started them) and returns the operators by falling self time.
/// `byShape` keeps calls with different input shapes apart ("aten::bmm [8,1024,32] ...").
Result<std::vector<OpTime>> profileOps(const std::function<void()>& fn, bool byShape = false);

} // namespace ldm
