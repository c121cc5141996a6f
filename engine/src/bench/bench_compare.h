// SPDX-License-Identifier: GPL-3.0-or-later
// Side-by-side UNet timings of several ways to run the same network (fp32 vs bf16, NCHW vs
// channels_last, thread counts) in one process. The runs are interleaved step by step, so a
// change in machine load (other jobs on a shared VM) hits every variant alike and the ratios
// stay meaningful even when the absolute times do not.
#pragma once

#include "bench/bench_runner.h"

#include <string>
#include <vector>

namespace ldm {

/// One variant's result.
struct CompareVariant
{
    std::string name; ///< e.g. "bf16 autocast, channels_last, 2 threads"
    UNetRun run;
    double firstStepSeconds = 0; ///< the warm-up step
    TimingStats steps;           ///< the interleaved timed steps
    double relativeError = 0;    ///< ‖eps − eps_fp32‖ / ‖eps_fp32‖ on the same input
};

/// Times `steps` rounds of one step per variant (after one warm-up step each) of copies of
/// `unet` (float32, NCHW, left unchanged): fp32 and bf16 autocast in both layouts and bf16
/// weights in channels_last at `threads`, plus fp32 and bf16 channels_last at one thread when
/// `threads` > 1. The first variant (fp32, NCHW, `threads`) is the reference for ratios.
Result<std::vector<CompareVariant>> compareUNetRuns(const UNetModel& unet, const StepInputs& inputs,
                                                    int threads, int steps);

} // namespace ldm
