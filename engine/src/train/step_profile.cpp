// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/step_profile.h"

#include "train/config_section.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdio>

namespace ldm::train {

StepPhases& StepPhases::operator+=(const StepPhases& other)
{
    data += other.data;
    forward += other.forward;
    loss += other.loss;
    backward += other.backward;
    optimizer += other.optimizer;
    ema += other.ema;
    return *this;
}

StepPhases StepPhases::scaled(double factor) const
{
    StepPhases out = *this;
    for (double* value : {&out.data, &out.forward, &out.loss, &out.backward, &out.optimizer,
                          &out.ema})
        *value *= factor;
    return out;
}

double StepProfile::stepsPerSecond() const
{
    return secondsPerStep() > 0 ? 1.0 / secondsPerStep() : 0.0;
}

double StepProfile::pixelsPerSecond() const
{
    return double(batch * side * side) * stepsPerSecond();
}

double StepProfile::gflopsPerSecond() const
{
    return flopsPerStep() * stepsPerSecond() / 1e9;
}

std::string StepProfile::report(size_t topOps) const
{
    std::string text;
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s: batch %lld x %lldx%lld px, %d threads, %s, %s, %s, %lld timed steps\n",
                  what.c_str(), static_cast<long long>(batch), static_cast<long long>(side),
                  static_cast<long long>(side), threads, bf16 ? "bf16 autocast" : "fp32",
                  channelsLast ? "channels-last" : "contiguous",
                  prefetch ? "batches prefetched" : "batches made in the step",
                  static_cast<long long>(steps));
    text += line;
    const double total = std::max(1e-12, secondsPerStep());
    const std::pair<const char*, double> phases[] = {
        {"data", perStep.data},         {"forward", perStep.forward},
        {"loss", perStep.loss},         {"backward", perStep.backward},
        {"optimizer", perStep.optimizer}, {"ema", perStep.ema}};
    for (const auto& [name, seconds] : phases) {
        std::snprintf(line, sizeof line, "  %-10s %9.1f ms  %5.1f %%\n", name, seconds * 1e3,
                      100.0 * seconds / total);
        text += line;
    }
    std::snprintf(line, sizeof line,
                  "  step       %9.1f ms  = %.3f step/s, %.0f px/s, %.1f GFLOP/s "
                  "(%.2f GFLOP per step: 3 x %.2f trained forward + %.2f frozen)\n",
                  total * 1e3, stepsPerSecond(), pixelsPerSecond(), gflopsPerSecond(),
                  flopsPerStep() / 1e9, trainedForwardFlops / 1e9, frozenForwardFlops / 1e9);
    text += line;
    if (!ops.empty()) {
        double opTotal = 0;
        for (const auto& op : ops)
            opTotal += op.selfSeconds;
        text += "  operators of one step (self time):\n";
        for (size_t i = 0; i < std::min(topOps, ops.size()); ++i) {
            std::snprintf(line, sizeof line, "    %-52s %8.1f ms  %5.1f %%  %5lld calls\n",
                          ops[i].name.substr(0, 52).c_str(), ops[i].selfSeconds * 1e3,
                          100.0 * ops[i].selfSeconds / std::max(1e-12, opTotal),
                          static_cast<long long>(ops[i].calls));
            text += line;
        }
    }
    return text;
}

double countForwardFlops(const std::function<void()>& forward)
{
    namespace prof = torch::autograd::profiler;
    prof::enableProfilerLegacy(
        prof::ProfilerConfig(prof::ProfilerState::CPU, true, false, false, true));
    try {
        forward();
    } catch (...) {
        prof::disableProfilerLegacy();
        throw;
    }
    const prof::thread_event_lists events = prof::disableProfilerLegacy();
    double flops = 0;
    for (const auto& list : events)
        for (const auto& event : list) {
            if (event.kind() != prof::EventKind::PushRange)
                continue;
            const std::string name = event.name();
            if (name == "aten::conv2d" || name == "aten::mm" || name == "aten::addmm" ||
                name == "aten::bmm")
                flops += double(const_cast<prof::LegacyEvent&>(event).flops());
        }
    return flops;
}

StepProfile profileOf(std::string what, const LoopSection& loop, int64_t side, bool prefetch,
                      int64_t steps)
{
    StepProfile profile;
    profile.what = std::move(what);
    profile.batch = loop.batchSize;
    profile.side = side;
    profile.threads = torch::get_num_threads();
    profile.bf16 = loop.bf16;
    profile.channelsLast = loop.channelsLast;
    profile.prefetch = prefetch;
    profile.steps = steps;
    return profile;
}

Result<void> timeSteps(StepProfile& profile, const std::function<Result<void>()>& step,
                       const std::function<StepPhases()>& lastPhases)
{
    profile.steps = std::max<int64_t>(1, profile.steps);
    for (int warmUp = 0; warmUp < 2; ++warmUp)
        if (auto ok = step(); !ok)
            return ok.error();
    StepPhases sum;
    for (int64_t i = 0; i < profile.steps; ++i) {
        if (auto ok = step(); !ok)
            return ok.error();
        sum += lastPhases();
    }
    profile.perStep = sum.scaled(1.0 / double(profile.steps));
    return {};
}

} // namespace ldm::train
