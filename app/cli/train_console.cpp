// SPDX-License-Identifier: GPL-3.0-or-later
#include "train_console.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace ldm::cli {
namespace {

void onStopSignal(int)
{
    trainingStopFlag().store(true); // lock-free atomic store: safe in a signal handler
}

} // namespace

std::atomic<bool>& trainingStopFlag()
{
    static std::atomic<bool> flag{false};
    return flag;
}

void installStopHandler()
{
    trainingStopFlag(); // construct the flag before a signal can arrive
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
}

std::string formatDuration(double seconds)
{
    const long long s = static_cast<long long>(seconds);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
    else
        std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
    return text;
}

void writeTrainingStatus(const std::string& runDir, const TrainingStatus& s)
{
    const double eta = s.stepsPerSecond > 0 ? double(s.totalSteps - s.step) / s.stepsPerSecond : -1;
    nlohmann::json json = {{"kind", s.kind},       {"step", s.step},
                           {"total_steps", s.totalSteps}, {"loss", s.loss},
                           {"steps_per_second", s.stepsPerSecond}, {"eta_seconds", eta},
                           {"pid", long(::getpid())},
                           {"time", long(std::time(nullptr))}};
    if (s.eval >= 0)
        json["eval"] = {{"name", s.evalName}, {"value", s.eval}};
    namespace fs = std::filesystem;
    const fs::path target = fs::path(runDir) / "status.json";
    const fs::path temp = fs::path(runDir) / ("status.json.tmp-" + std::to_string(::getpid()));
    {
        std::ofstream out(temp);
        if (!out)
            return;
        out << json.dump(2) << '\n';
        if (!out)
            return;
    }
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec)
        fs::remove(temp, ec);
}

std::string defaultRunsDir()
{
    if (const char* dir = std::getenv("LDM_RUNS_DIR"); dir && *dir)
        return dir;
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.cache/latent-canvas/runs";
}

void printTrainingLine(const std::string& text, const std::string& event, bool terminal)
{
    const std::string line = event.empty() ? text : text + "  [" + event.substr(1) + "]";
    if (terminal)
        std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), event.empty() ? "" : "\n");
    else
        std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

int precisionOverride(const Options& options, const char* command)
{
    if (!options.has("precision"))
        return -1;
    const std::string value = options.text("precision");
    if (value == "bf16")
        return 1;
    if (value == "fp32")
        return 0;
    std::fprintf(stderr, "%s: --precision must be bf16 or fp32, not '%s'\n", command,
                 value.c_str());
    return -2;
}

} // namespace ldm::cli
