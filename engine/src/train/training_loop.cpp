// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/training_loop.h"

#include "train/run_folder.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ldm::train {

Result<void> runTrainingLoop(const LoopSection& loop, RunProgress& run,
                             const std::atomic<bool>& stop, const LoopHooks& hooks)
{
    auto windowStart = std::chrono::steady_clock::now();
    int64_t windowSteps = 0;
    while (run.step < run.totalSteps && !stop.load()) {
        if (auto ok = hooks.step(); !ok)
            return ok;
        ++windowSteps;
        const int64_t s = run.step;
        const bool last = s == run.totalSteps;
        const bool sample = (loop.sampleEvery > 0 && s % loop.sampleEvery == 0) || last ||
                            (hooks.extraSamples && hooks.extraSamples(s));
        const bool checkpoint = s % loop.checkpointEvery == 0 || last || stop.load();
        if (s % loop.logEvery != 0 && !sample && !checkpoint)
            continue;
        LoopPoint point;
        point.means = run.window.means();
        run.history.add(s, point.means);
        run.window.reset();
        point.step = s;
        point.totalSteps = run.totalSteps;
        const auto now = std::chrono::steady_clock::now();
        point.stepsPerSecond =
            double(windowSteps) /
            std::max(1e-9, std::chrono::duration<double>(now - windowStart).count());
        if (sample) {
            if (auto ok = hooks.writeSamples(); !ok)
                return ok;
            point.sampled = true;
            point.event += " samples";
        }
        if (checkpoint) {
            if (auto ok = hooks.saveCheckpoint(); !ok)
                return ok;
            point.event += " checkpoint";
        }
        if (hooks.report)
            hooks.report(point);
        windowStart = std::chrono::steady_clock::now();
        windowSteps = 0;
    }
    if (run.lastCheckpoint != run.step)
        return hooks.saveCheckpoint();
    return {};
}

Result<RunCheckpoint> findRunCheckpoint(const std::string& runDir, const std::string& format,
                                        const std::string& what)
{
    RunCheckpoint checkpoint;
    checkpoint.folder = findCheckpointFolder(runDir);
    if (checkpoint.folder.empty())
        return makeError(ErrorCode::InvalidFile,
                         "no checkpoint in " + runDir + " (start a new run without --resume)");
    auto state = readJsonFile(checkpoint.folder + "/state.json");
    if (!state)
        return state.error();
    if (!state->is_object() || state->value("format", "") != format || !state->contains("config"))
        return makeError(ErrorCode::InvalidFile, checkpoint.folder + "/state.json is not " + what);
    checkpoint.state = std::move(state.value());
    return checkpoint;
}

Result<void> restoreRunProgress(const RunCheckpoint& checkpoint, torch::optim::Optimizer& optimizer,
                                RunProgress& run)
{
    const std::string& folder = checkpoint.folder;
    const auto stepValue = checkpoint.state.value("step", int64_t{-1});
    if (stepValue < 0)
        return makeError(ErrorCode::InvalidFile, folder + "/state.json has no valid step");
    try {
        torch::load(optimizer, folder + "/optimizer.pt");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidFile,
                         "cannot read " + folder + "/optimizer.pt: " + error.what());
    }
    run.step = stepValue;
    run.lastCheckpoint = stepValue;
    run.history = LossHistory::fromJson(checkpoint.state.value("history", nlohmann::json::array()));
    run.history.truncateAfter(stepValue);
    return {};
}

double learningRateAt(const OptimizerSection& optim, int64_t s, int64_t totalSteps)
{
    if (s < optim.warmupSteps)
        return optim.lr * double(s + 1) / double(optim.warmupSteps);
    if (optim.schedule == "constant")
        return optim.lr;
    const double span = double(std::max<int64_t>(1, totalSteps - optim.warmupSteps));
    const double progress = std::min(1.0, double(s - optim.warmupSteps) / span);
    return optim.lrMin + 0.5 * (optim.lr - optim.lrMin) * (1.0 + std::cos(M_PI * progress));
}

} // namespace ldm::train
