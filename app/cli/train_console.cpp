// SPDX-License-Identifier: GPL-3.0-or-later
#include "train_console.h"

#include <csignal>
#include <cstdio>

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

void printTrainingLine(const std::string& text, const std::string& event, bool terminal)
{
    const std::string line = event.empty() ? text : text + "  [" + event.substr(1) + "]";
    if (terminal)
        std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), event.empty() ? "" : "\n");
    else
        std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

} // namespace ldm::cli
