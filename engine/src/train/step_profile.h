// SPDX-License-Identifier: GPL-3.0-or-later
// Where the time of a training step goes (`train-ae --profile`, `train-ldm --profile`): the
// phases of the step, the ATen operators of one step and the speed in pixels/s and GFLOP/s,
// so a speed-up can be aimed at what costs and its gain measured on the same footing.
#pragma once

#include "ldm/result.h"
#include "bench/bench_profile.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ldm::train {

/// Seconds spent in each phase of one step (or their mean over several).
struct StepPhases
{
    double data = 0;      ///< waiting for the batch (all of its making when not prefetched)
    double forward = 0;   ///< forward pass (for the LDM: first-stage encode + conditioning + UNet)
    double loss = 0;      ///< loss terms and reading the loss value
    double backward = 0;  ///< zero_grad + backward
    double optimizer = 0; ///< gradient clipping + the optimizer step
    double ema = 0;       ///< EMA update

    double total() const { return data + forward + loss + backward + optimizer + ema; }
    StepPhases& operator+=(const StepPhases& other);
    StepPhases scaled(double factor) const;
};

/// Measures consecutive phases of a step: each lap() returns the seconds since the last one.
class PhaseClock
{
public:
    PhaseClock() : m_last(std::chrono::steady_clock::now()) {}
    double lap()
    {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - m_last).count();
        m_last = now;
        return seconds;
    }

private:
    std::chrono::steady_clock::time_point m_last;
};

/// The measured speed of a trainer.
struct StepProfile
{
    std::string what;                 ///< "autoencoder", "latent diffusion"
    int64_t steps = 0;                ///< timed steps (after warm-up)
    int64_t batch = 0;                ///< samples per step
    int64_t side = 0;                 ///< image side (px) of a sample
    int threads = 0;                  ///< intra-op threads
    bool bf16 = false;                ///< bf16 autocast on
    bool channelsLast = false;        ///< channels-last activations and weights
    bool prefetch = false;            ///< batches made ahead on a background thread
    StepPhases perStep;               ///< mean seconds per phase
    double trainedForwardFlops = 0;   ///< FLOPs of one forward of the trained network (batch)
    double frozenForwardFlops = 0;    ///< FLOPs of frozen networks run per step (no backward)
    std::vector<OpTime> ops;          ///< operators of one step by falling self time

    double secondsPerStep() const { return perStep.total(); }
    double stepsPerSecond() const;
    /// Training pixels per second (batch · side² · steps/s).
    double pixelsPerSecond() const;
    /// FLOPs of one step: 3 × the trained forward (backward ≈ 2 × forward) + the frozen part.
    double flopsPerStep() const { return 3.0 * trainedForwardFlops + frozenForwardFlops; }
    double gflopsPerSecond() const;
    /// A readable table: settings, phases, speed and the `topOps` costliest operators.
    std::string report(size_t topOps = 15) const;
};

struct LoopSection;

/// A profile of `steps` timed steps of a loop with these settings, before any timing: batch,
/// precision and layout from `loop`, `side` px samples, the intra-op threads in force.
StepProfile profileOf(std::string what, const LoopSection& loop, int64_t side, bool prefetch,
                      int64_t steps);

/// Times a trainer's step: two warm-up steps (the first calls allocate and pick kernels), then
/// `profile.steps` steps whose phases (`lastPhases` after each) are averaged into
/// `profile.perStep`. Stops at the first step that fails.
Result<void> timeSteps(StepProfile& profile, const std::function<Result<void>()>& step,
                       const std::function<StepPhases()>& lastPhases);

/// FLOPs of the convolutions and matrix products `forward` runs (2 per multiply-add), counted
/// by LibTorch's profiler from the operators' input shapes. Run it without autocast: the
/// autocast wrappers would count each convolution twice.
double countForwardFlops(const std::function<void()>& forward);

} // namespace ldm::train
