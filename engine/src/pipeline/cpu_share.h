// SPDX-License-Identifier: GPL-3.0-or-later
// How many CPU threads a job should use right now, given what else the machine runs.
//
// Why: on a 2-core machine, a 2-thread job whose second core is taken by another busy process
// waits at every OpenMP barrier for its preempted thread. Measured with a busy loop and two
// compiles beside it, one txt2img took 125 s with 2 threads and 8.6 s with 1. So before every
// sampler step the engine counts the other processes that are running at a normal priority
// and leaves their cores to them. Background work at a low priority (nice >= 10, e.g. a
// training run) is not counted: it yields its core almost entirely.
#pragma once

#include <string>

namespace ldm {

/// Threads to use for the next step: the configured count less the cores other busy processes
/// hold, at least 1. Pure, so the rule can be tested without a loaded machine.
int threadsForNextStep(int configuredThreads, int cores, int otherBusyProcesses);

/// Processes other than this one that are running or runnable right now at nice < 10, read
/// from /proc/<pid>/stat; 0 where /proc cannot be read.
int otherBusyProcesses();

/// Counts the processes of `otherBusyProcesses` in a /proc-like folder (for tests).
int otherBusyProcessesIn(const std::string& procFolder, int selfPid);

/// Process-wide thread governor the engine configures and the sampling loop consults.
class CpuShare
{
public:
    /// The thread count the user chose (the engine's setting) and whether the device is CPU.
    static void configure(int threads, bool cpuDevice);
    /// Sets torch's intra-op threads for the coming step; cheap, re-reads /proc at most every
    /// 200 ms. Returns the thread count in force.
    static int adjust();
};

} // namespace ldm
