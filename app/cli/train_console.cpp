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

std::vector<OptionSpec> trainerOptionTable(const std::string& configDefault,
                                           const std::string& runName, std::vector<OptionSpec> own)
{
    std::vector<OptionSpec> table = {
        {"config", "FILE", "training config (YAML) for a new run", configDefault},
        {"run-dir", "DIR",
         "run folder: checkpoints, samples, loss curve (outside the work tree, so a run survives "
         "a fresh checkout)",
         "$LDM_RUNS_DIR/" + runName + ", ~/.cache/latent-canvas/runs/" + runName},
        {"resume", "", "continue the run in --run-dir from its last checkpoint", ""},
        {"threads", "N|auto",
         "intra-op CPU threads; auto uses training.threads while the machine is quiet and fewer "
         "while other busy processes (a build) hold cores",
         "training.threads"},
        {"steps", "N", "total steps (extends or shortens a resumed run)", "training.steps"},
    };
    table.insert(table.end(), own.begin(), own.end());
    table.push_back({"profile", "N",
                     "train 2 warm-up + N timed steps, print where a step's time goes (phases, "
                     "operators, px/s, GFLOP/s) and exit without saving",
                     ""});
    table.push_back({"no-prefetch", "",
                     "make each batch inside its step instead of on a background thread", ""});
    return table;
}

bool readRunOptions(Options& options, const char* command, const std::string& defaultRunName,
                    train::RunOptions& run)
{
    run.runDir = options.text("run-dir", defaultRunsDir() + "/" + defaultRunName);
    const bool autoThreads = options.text("threads") == "auto";
    run.threads = autoThreads ? 0 : options.integer("threads", 0, 1, 256);
    run.adaptiveThreads = autoThreads;
    run.bf16 = precisionOverride(options, command);
    if (run.bf16 == -2)
        return false;
    run.steps = options.integer("steps", 0, 1, int64_t{1} << 40);
    run.requirePhotos = !options.has("allow-no-photos");
    run.prefetch = !options.has("no-prefetch");
    return true;
}

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
