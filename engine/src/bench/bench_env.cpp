// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/bench_env.h"

#include <torch/version.h>

#include <dlfcn.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace ldm {
namespace {

std::string env(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "";
}

bool hasFlag(const std::string& flags, const std::string& flag)
{
    return (" " + flags + " ").find(" " + flag + " ") != std::string::npos;
}

} // namespace

BenchEnvironment probeEnvironment()
{
    BenchEnvironment e;
    e.logicalCpus = int(std::thread::hardware_concurrency());
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
        if (key == "model name" && e.cpuModel.empty())
            e.cpuModel = value;
        if (key == "flags") {
            e.avx512Bf16 = hasFlag(value, "avx512_bf16");
            e.amxBf16 = hasFlag(value, "amx_bf16");
            break;
        }
    }
    // LD_PRELOAD'ed allocators and the BLAS behind libtorch show up as mapped files.
    e.allocator = "glibc";
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        if (path.find("jemalloc") != std::string::npos)
            e.allocator = "jemalloc";
        else if (path.find("tcmalloc") != std::string::npos)
            e.allocator = "tcmalloc";
        else if (e.blasLibrary.empty() && (path.find("libblas") != std::string::npos ||
                                           path.find("libopenblas") != std::string::npos))
            e.blasLibrary = path;
    }
    using ConfigFn = const char* (*)();
    const auto config = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    const auto core = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (config)
        e.openblasConfig = config();
    if (core)
        e.openblasConfig += std::string(e.openblasConfig.empty() ? "" : ", ") + "core " + core();
    e.openblasCoretype = env("OPENBLAS_CORETYPE");
    e.ompNumThreads = env("OMP_NUM_THREADS");
    e.ompWaitPolicy = env("OMP_WAIT_POLICY");
    e.torchVersion = TORCH_VERSION;
    return e;
}

std::array<double, 3> loadAverage()
{
    std::array<double, 3> load{0, 0, 0};
    std::ifstream file("/proc/loadavg");
    file >> load[0] >> load[1] >> load[2];
    return load;
}

} // namespace ldm
