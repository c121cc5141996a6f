// SPDX-License-Identifier: GPL-3.0-or-later
// What a benchmark number depends on besides the code: CPU, allocator, BLAS, OpenMP settings
// and how busy the machine was. Printed with every bench result so numbers stay comparable.
#pragma once

#include <array>
#include <string>

namespace ldm {

/// The process's environment as far as speed is concerned.
struct BenchEnvironment
{
    std::string cpuModel;         ///< /proc/cpuinfo "model name"
    int logicalCpus = 0;          ///< std::thread::hardware_concurrency
    bool avx512Bf16 = false;      ///< native bf16 dot products (else oneDNN emulates bf16)
    bool amxBf16 = false;         ///< AMX tiles (oneDNN uses them for bf16 when present)
    std::string allocator;        ///< "jemalloc", "tcmalloc" or "glibc" (from the loaded libraries)
    std::string blasLibrary;      ///< path of the libblas/openblas LibTorch loaded
    std::string openblasConfig;   ///< openblas_get_config() + core name, when OpenBLAS is loaded
    std::string openblasCoretype; ///< $OPENBLAS_CORETYPE
    std::string ompNumThreads;    ///< $OMP_NUM_THREADS
    std::string ompWaitPolicy;    ///< $OMP_WAIT_POLICY
    std::string torchVersion;     ///< LibTorch version the program was built against
};

/// Reads /proc, the environment and the loaded libraries of this process.
BenchEnvironment probeEnvironment();

/// The 1, 5 and 15 minute load averages (/proc/loadavg); zeros when unreadable.
std::array<double, 3> loadAverage();

} // namespace ldm
