// SPDX-License-Identifier: GPL-3.0-or-later
// `train-status`: one line per training run in the runs folder, from the status.json each
// trainer rewrites at every log point: step, loss, last evaluation, speed, ETA, and whether the
// run is still going (its process alive and the file fresh).
#include "cli_options.h"
#include "commands.h"
#include "core/regular_file.h"
#include "train_console.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> TrainStatusOptions = {
    {"runs", "DIR", "folder holding the run folders", "$LDM_RUNS_DIR or ~/.cache/latent-canvas/runs"},
};

/// A run is live when its process still exists and it wrote its status in the last 10 min
/// (a log interval is seconds to minutes; a pid may be reused after a reboot).
bool isLive(const nlohmann::json& status)
{
    const long pid = status.value("pid", 0L);
    const long age = long(std::time(nullptr)) - status.value("time", 0L);
    return pid > 0 && ::kill(pid_t(pid), 0) == 0 && age < 600;
}

std::string describe(const std::string& name, const nlohmann::json& s)
{
    char line[512];
    const double eta = s.value("eta_seconds", -1.0);
    std::snprintf(line, sizeof line, "%-22s %-11s step %lld/%lld  loss %.4f  %.2f step/s  ETA %s",
                  name.c_str(), s.value("kind", std::string("?")).c_str(),
                  s.value("step", 0LL), s.value("total_steps", 0LL), s.value("loss", 0.0),
                  s.value("steps_per_second", 0.0),
                  eta >= 0 ? formatDuration(eta).c_str() : "?");
    std::string text = line;
    if (s.contains("eval") && s["eval"].is_object()) {
        char eval[96];
        std::snprintf(eval, sizeof eval, "  %s %.3f",
                      s["eval"].value("name", std::string("eval")).c_str(),
                      s["eval"].value("value", 0.0));
        text += eval;
    }
    const long age = long(std::time(nullptr)) - s.value("time", 0L);
    text += isLive(s) ? "  [running]" : "  [stopped " + formatDuration(double(age)) + " ago]";
    return text;
}

} // namespace

int runTrainStatus(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, TrainStatusOptions);
    if (auto exit = helpOrUsageError(
            options,
            {"train-status", "[--runs DIR]",
             "Lists the training runs with their step, loss, evaluation, speed and ETA."},
            TrainStatusOptions, 0, "unexpected argument (see --help)"))
        return *exit;
    namespace fs = std::filesystem;
    const fs::path runs = options.text("runs", defaultRunsDir());
    std::error_code ec;
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(runs, ec))
        if (entry.is_directory(ec))
            folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    int shown = 0;
    for (const auto& folder : folders) {
        const auto text = files::readRegular((folder / "status.json").string(), 16ll << 20);
        if (!text)
            continue;
        const auto status = nlohmann::json::parse(*text, nullptr, false);
        if (status.is_discarded() || !status.is_object()) {
            std::printf("%-22s unreadable status.json\n", folder.filename().c_str());
            continue;
        }
        std::printf("%s\n", describe(folder.filename().string(), status).c_str());
        ++shown;
    }
    if (shown == 0)
        std::printf("no training runs with a status in %s\n", runs.c_str());
    return ExitOk;
}

} // namespace ldm::cli
