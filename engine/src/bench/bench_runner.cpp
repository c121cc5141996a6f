// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/bench_runner.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace ldm {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CPU bf16 autocast on (or off) for this thread while alive; the cast cache is left alone so
/// consecutive steps reuse the bf16 weights, as one engine job does.
class AutocastSwitch
{
public:
    explicit AutocastSwitch(bool enabled)
        : m_previous(at::autocast::is_cpu_enabled())
    {
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(enabled);
    }
    ~AutocastSwitch() { at::autocast::set_cpu_enabled(m_previous); }
    AutocastSwitch(const AutocastSwitch&) = delete;
    AutocastSwitch& operator=(const AutocastSwitch&) = delete;

private:
    bool m_previous;
};

void applyThreads(int threads)
{
    if (threads > 0 && torch::get_num_threads() != threads)
        torch::set_num_threads(threads);
}

/// The input as the run wants it: channels_last for 4-D tensors, bf16 when the weights are.
torch::Tensor forRun(const torch::Tensor& t, const UNetRun& run)
{
    if (!t.defined() || !t.is_floating_point())
        return t;
    torch::Tensor out = run.precision == BenchPrecision::Bf16Weights ? t.to(torch::kBFloat16) : t;
    if (run.channelsLast && out.dim() == 4)
        out = out.contiguous(at::MemoryFormat::ChannelsLast);
    return out;
}

template <typename Fn> auto guarded(const char* what, Fn&& fn) -> Result<decltype(fn())>
{
    try {
        return fn();
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, std::string(what) + ": out of memory");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, std::string(what) + " failed: " + error.what());
    }
}

} // namespace

const char* benchPrecisionName(BenchPrecision precision)
{
    switch (precision) {
    case BenchPrecision::Fp32:
        return "fp32";
    case BenchPrecision::Bf16:
        return "bf16";
    case BenchPrecision::Bf16Weights:
        return "bf16-weights";
    }
    return "?";
}

Result<BenchPrecision> parseBenchPrecision(const std::string& name)
{
    for (auto p : {BenchPrecision::Fp32, BenchPrecision::Bf16, BenchPrecision::Bf16Weights})
        if (name == benchPrecisionName(p))
            return p;
    return makeError(ErrorCode::InvalidRequest,
                     "precision must be fp32, bf16 or bf16-weights, got '" + name + "'");
}

TimingStats summarize(std::vector<double> seconds)
{
    TimingStats stats;
    stats.seconds = seconds;
    if (seconds.empty())
        return stats;
    std::sort(seconds.begin(), seconds.end());
    const size_t n = seconds.size();
    stats.min = seconds.front();
    stats.median = n % 2 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
    stats.mean = std::accumulate(seconds.begin(), seconds.end(), 0.0) / double(n);
    return stats;
}

void prepareModule(torch::nn::Module& module, const UNetRun& run)
{
    torch::NoGradGuard noGrad;
    const auto convert = [&](torch::Tensor& t) {
        if (!t.is_floating_point())
            return;
        torch::Tensor value = t;
        if (run.precision == BenchPrecision::Bf16Weights)
            value = value.to(torch::kBFloat16);
        // Conv weights in NHWC let oneDNN skip a layout reorder of the activations per call.
        if (run.channelsLast && value.dim() == 4)
            value = value.contiguous(at::MemoryFormat::ChannelsLast);
        if (!value.is_same(t))
            t.set_data(value);
    };
    for (auto& p : module.parameters())
        convert(p);
    for (auto& b : module.buffers())
        convert(b);
}

StepInputs makeStepInputs(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                          int64_t contextLen, uint64_t seed)
{
    auto generator = at::detail::createCPUGenerator(seed);
    StepInputs inputs;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32);
    inputs.x = at::randn({batch, config.inChannels, h, w}, generator, options);
    if (config.useSpatialTransformer && contextLen > 0)
        inputs.context =
            at::randn({batch, contextLen, config.contextDim.value_or(0)}, generator, options);
    if (config.numClasses)
        inputs.labels = at::randint(*config.numClasses, {batch}, generator,
                                    torch::TensorOptions().dtype(torch::kLong));
    return inputs;
}

Result<double> timeOneUNetStep(UNetModel& unet, const StepInputs& inputs, const UNetRun& run,
                               int64_t timestep, torch::Tensor* output)
{
    return guarded("UNet step", [&]() -> double {
        applyThreads(run.threads);
        c10::InferenceMode inference;
        AutocastSwitch autocast(run.precision == BenchPrecision::Bf16);
        const torch::Tensor x = forRun(inputs.x, run);
        const torch::Tensor context = forRun(inputs.context, run);
        const torch::Tensor t = torch::full({inputs.x.size(0)}, timestep, torch::kLong);
        const auto start = Clock::now();
        torch::Tensor eps = unet->forward(x, t, context, inputs.labels);
        const double seconds = secondsSince(start);
        if (output)
            *output = eps.to(torch::kFloat32).contiguous();
        return seconds;
    });
}

void clearAutocastCache()
{
    at::autocast::clear_cache();
}

Result<UNetTiming> timeUNetSteps(UNetModel& unet, const StepInputs& inputs, const UNetRun& run,
                                 int steps, int warmup)
{
    UNetTiming timing;
    std::vector<double> seconds;
    const int total = std::max(0, warmup) + std::max(1, steps);
    for (int i = 0; i < total; ++i) {
        // Timesteps fall from 999 towards 0 as in a sampler (speed does not depend on t).
        const int64_t t = 999 - int64_t(i) * 999 / total;
        torch::Tensor* out = i == total - 1 ? &timing.lastOutput : nullptr;
        auto s = timeOneUNetStep(unet, inputs, run, t, out);
        if (!s) {
            clearAutocastCache();
            return s.error();
        }
        if (i == 0)
            timing.firstStepSeconds = *s;
        if (i >= warmup)
            seconds.push_back(*s);
    }
    clearAutocastCache();
    timing.steps = summarize(std::move(seconds));
    return timing;
}

Result<DecodeTiming> timeDecode(const FirstStage& stage, int64_t h, int64_t w, const UNetRun& run,
                                int runs)
{
    return guarded("decode", [&]() -> DecodeTiming {
        applyThreads(run.threads);
        auto generator = at::detail::createCPUGenerator(1234);
        const torch::Tensor z =
            forRun(at::randn({1, stage.latentChannels(), h, w}, generator, torch::kFloat32), run);
        DecodeTiming timing;
        std::vector<double> seconds;
        for (int i = 0; i <= std::max(1, runs); ++i) {
            c10::InferenceMode inference;
            // One engine job decodes once inside its autocast scope, so each pass pays the
            // weight casts again: clear the cache after every pass.
            AutocastSwitch autocast(run.precision == BenchPrecision::Bf16);
            const auto start = Clock::now();
            const torch::Tensor image = stage.decodeLatent(z);
            const double s = secondsSince(start);
            clearAutocastCache();
            if (i == 0)
                timing.firstSeconds = s;
            else
                seconds.push_back(s);
        }
        timing.runs = summarize(std::move(seconds));
        return timing;
    });
}

MatmulPeak measureMatmulPeak(torch::ScalarType dtype, const std::vector<int64_t>& sizes,
                             int repeats)
{
    c10::InferenceMode inference;
    MatmulPeak best;
    auto generator = at::detail::createCPUGenerator(7);
    for (int64_t n : sizes) {
        const torch::Tensor a = at::randn({n, n}, generator, torch::kFloat32).to(dtype);
        const torch::Tensor b = at::randn({n, n}, generator, torch::kFloat32).to(dtype);
        torch::Tensor c = torch::mm(a, b); // warm-up: thread pool, primitive creation
        double fastest = 0;
        for (int r = 0; r < std::max(1, repeats); ++r) {
            const auto start = Clock::now();
            c = torch::mm(a, b);
            const double s = secondsSince(start);
            fastest = r == 0 ? s : std::min(fastest, s);
        }
        const double gflops = 2.0 * double(n) * double(n) * double(n) / fastest / 1e9;
        if (gflops > best.gflops)
            best = MatmulPeak{n, gflops};
    }
    return best;
}

double relativeError(const torch::Tensor& a, const torch::Tensor& b)
{
    c10::InferenceMode inference;
    const torch::Tensor ref = b.to(torch::kFloat64);
    const double norm = ref.norm().item<double>();
    const double diff = (a.to(torch::kFloat64) - ref).norm().item<double>();
    return norm > 0 ? diff / norm : diff;
}

} // namespace ldm
