// SPDX-License-Identifier: GPL-3.0-or-later
// Timing of UNet steps, decoder passes and the machine's matmul peak, the pieces of
// `latent-canvas-cli bench`.
//
// Usage:
//     UNetRun run{BenchPrecision::Bf16, true, 2};              // bf16 autocast, channels_last
//     prepareUNet(unet, run);                                  // layout/dtype, once
//     auto inputs = makeStepInputs(unet->config(), 2, 32, 32, 77, 0);
//     auto stats = timeUNetSteps(unet, inputs, run, 20, 1);    // Result<UNetTiming>
//
// bf16 here is the engine's path: CPU autocast to bf16 with float32 weights (as
// generate_pipeline.cpp does), the cast weights cached for the whole run, norms in float32.
// Bf16Weights instead converts the weights once (no per-call casts, bf16 LayerNorm).
// Not thread-safe: set_num_threads and the autocast state are process/thread-wide.
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/result.h"
#include "unet/unet_model.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ldm {

/// Arithmetic of a run.
enum class BenchPrecision {
    Fp32,        ///< float32 weights and activations
    Bf16,        ///< float32 weights under CPU bf16 autocast (the engine's --precision bf16)
    Bf16Weights, ///< weights and activations converted to bf16 (norms stay float32)
};

/// "fp32", "bf16", "bf16-weights".
const char* benchPrecisionName(BenchPrecision precision);
/// Inverse of benchPrecisionName; InvalidRequest for anything else.
Result<BenchPrecision> parseBenchPrecision(const std::string& name);

/// Min, median and mean of a set of timings (seconds).
struct TimingStats
{
    std::vector<double> seconds; ///< as measured, in order
    double min = 0;
    double median = 0;
    double mean = 0;
};

/// Summarises `seconds` (all zero when empty).
TimingStats summarize(std::vector<double> seconds);

/// One way of running a network: arithmetic, memory layout and CPU threads.
struct UNetRun
{
    BenchPrecision precision = BenchPrecision::Fp32;
    bool channelsLast = false; ///< weights and input in channels_last (NHWC) layout
    int threads = 1;           ///< torch::set_num_threads for the run
};

/// Puts a module's weights in the run's layout and dtype (channels_last 4-D weights; bf16 for
/// Bf16Weights). Call once, outside inference mode, before timing.
void prepareModule(torch::nn::Module& module, const UNetRun& run);

/// The inputs of one UNet step.
struct StepInputs
{
    torch::Tensor x;       ///< [B, in_channels, h, w]
    torch::Tensor context; ///< [B, len, context_dim]; undefined without cross-attention
    torch::Tensor labels;  ///< [B] class ids; undefined unless class-conditional
};
/// Seeded random float32 inputs for `config` (context only for cross-attention models).
StepInputs makeStepInputs(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                          int64_t contextLen, uint64_t seed);

/// Times of a series of UNet steps.
struct UNetTiming
{
    double firstStepSeconds = 0; ///< the first (warm-up) step
    TimingStats steps;           ///< the timed steps
    torch::Tensor lastOutput;    ///< eps of the last step (float32), for accuracy checks
};
/// `warmup` untimed steps (the first one's time is kept: it pays oneDNN primitive creation
/// and, under autocast, the weight casts), then `steps` timed ones with timesteps falling as
/// in a sampler. One autocast cache spans the series, as one engine job does.
Result<UNetTiming> timeUNetSteps(UNetModel& unet, const StepInputs& inputs, const UNetRun& run,
                                 int steps, int warmup);

/// One timed UNet forward under `run` (sets the thread count and the autocast state). The
/// weights that autocast casts stay cached for the next call, so several runs can be
/// interleaved as a sampler would see them; call clearAutocastCache() after the series.
Result<double> timeOneUNetStep(UNetModel& unet, const StepInputs& inputs, const UNetRun& run,
                               int64_t timestep, torch::Tensor* output = nullptr);

/// Drops the weights cached by bf16 autocast runs (call after a series of timeOneUNetStep).
void clearAutocastCache();

/// Times of decoder passes.
struct DecodeTiming
{
    double firstSeconds = 0; ///< the cold pass (first use of these shapes in the process)
    TimingStats runs;        ///< the timed passes after it
};
/// Decodes one random latent [1, embed_dim, h, w] once cold, then `runs` timed times; the
/// autocast cache is cleared after each pass, as each engine job starts with a fresh one.
Result<DecodeTiming> timeDecode(const FirstStage& stage, int64_t h, int64_t w, const UNetRun& run,
                                int runs);

/// The best square matmul rate seen.
struct MatmulPeak
{
    int64_t n = 0;     ///< matrix side of the best run
    double gflops = 0; ///< 2n³ / fastest time
};
/// Best GFLOP/s of a square n×n matmul over `sizes`, `repeats` timed runs each after one
/// warm-up, on the current thread count. fp32 goes through the BLAS that LibTorch links
/// (OpenBLAS here); bf16 through oneDNN.
MatmulPeak measureMatmulPeak(torch::ScalarType dtype, const std::vector<int64_t>& sizes,
                             int repeats);

/// ‖a − b‖₂ / ‖b‖₂ in float64.
double relativeError(const torch::Tensor& a, const torch::Tensor& b);

} // namespace ldm
