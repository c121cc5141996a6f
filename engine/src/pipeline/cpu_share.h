// SPDX-License-Identifier: GPL-3.0-or-later
// How many CPU threads a job should use right now, given what else the machine runs.
//
// Why: on a 2-core machine, a 2-thread job whose second core is taken by another busy process
// waits at every OpenMP barrier for its preempted thread. Measured with a busy loop and two
// compiles beside it, one txt2img took 125 s with 2 threads and 8.6 s with 1. So before every
// sampler step the engine counts the other processes that are running at a normal priority
// and leaves their cores to them. Background work at a low priority (nice >= 10, e.g. a
// training run) is not counted: it yields its core almost entirely.
//
// The thread count changes how some reductions are split, so the last bit of a pixel can
// differ between a 1- and a 2-thread run. The governor therefore only acts when the user left
// the thread count automatic; an explicit count (--threads, the app's setting, LDM_THREADS) is
// kept for the whole job, which makes the same recipe give the same bytes.
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

/// The thread count LDM_THREADS asks for (1..256), or 0 when it is unset or not a number.
int threadsFromEnvironment();

/// Process-wide thread governor the engine configures and the sampling loop consults.
class CpuShare
{
public:
    /// The thread count in force, whether the device is CPU, and whether the count was left
    /// automatic (then it may shrink while other processes are busy).
    static void configure(int threads, bool cpuDevice, bool adaptive);
    /// Sets torch's intra-op threads for the coming step; cheap, re-reads /proc at most every
    /// 200 ms. Returns the thread count in force.
    static int adjust();
};

} // namespace ldm
