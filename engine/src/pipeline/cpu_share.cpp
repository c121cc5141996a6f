// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/cpu_share.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace ldm {
namespace {

namespace fs = std::filesystem;

/// Nice values at or above this are background work that barely takes a core from us.
constexpr int BackgroundNice = 10;

/// State and nice value from one /proc/<pid>/stat line; false when it cannot be parsed.
bool readStat(const fs::path& file, char& state, int& nice)
{
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line))
        return false;
    // The command name is in parentheses and may hold spaces: parse after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size())
        return false;
    const char* p = line.c_str() + close + 2;
    state = *p;
    // Fields after the state: ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice (the 16th).
    for (int field = 0; field < 16; ++field) {
        p = std::strchr(p, ' ');
        if (!p)
            return false;
        ++p;
    }
    nice = std::atoi(p);
    return true;
}

struct Governor
{
    std::mutex lock;
    int configured = 1;
    bool cpu = true;
    bool adaptive = true;
    int current = -1;
    std::chrono::steady_clock::time_point lastCheck{};
};

Governor& governor()
{
    static Governor g;
    return g;
}

} // namespace

int threadsForNextStep(int configuredThreads, int cores, int otherBusyProcesses)
{
    const int configured = std::max(1, configuredThreads);
    const int free = std::max(1, cores - std::max(0, otherBusyProcesses));
    return std::min(configured, free);
}

int otherBusyProcessesIn(const std::string& procFolder, int selfPid)
{
    std::error_code ec;
    fs::directory_iterator it(procFolder, ec), end;
    if (ec)
        return 0;
    int busy = 0;
    for (; it != end; it.increment(ec)) {
        if (ec)
            break;
        const std::string name = it->path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit))
            continue;
        if (std::atoi(name.c_str()) == selfPid)
            continue;
        char state = 0;
        int nice = 0;
        if (readStat(it->path() / "stat", state, nice) && state == 'R' && nice < BackgroundNice)
            ++busy;
    }
    return busy;
}

int otherBusyProcesses()
{
    return otherBusyProcessesIn("/proc", int(getpid()));
}

int threadsFromEnvironment()
{
    const char* text = std::getenv("LDM_THREADS");
    if (!text || !*text)
        return 0;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value < 1 || value > 256)
        return 0;
    return int(value);
}

void CpuShare::configure(int threads, bool cpuDevice, bool adaptive)
{
    Governor& g = governor();
    std::lock_guard<std::mutex> guard(g.lock);
    g.configured = std::max(1, threads);
    g.cpu = cpuDevice;
    g.adaptive = adaptive;
    g.current = -1;
    g.lastCheck = {};
}

int CpuShare::adjust()
{
    Governor& g = governor();
    std::lock_guard<std::mutex> guard(g.lock);
    if (!g.cpu || !g.adaptive || g.configured <= 1)
        return g.configured;
    const auto now = std::chrono::steady_clock::now();
    if (g.current > 0 && now - g.lastCheck < std::chrono::milliseconds(200))
        return g.current;
    g.lastCheck = now;
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int wanted = threadsForNextStep(g.configured, cores, otherBusyProcesses());
    if (wanted != g.current) {
        at::set_num_threads(wanted);
        g.current = wanted;
    }
    return g.current;
}

} // namespace ldm
