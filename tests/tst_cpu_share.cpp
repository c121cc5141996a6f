// SPDX-License-Identifier: GPL-3.0-or-later
// The per-step thread choice: the rule, the /proc reading (on a fake folder and on the real
// machine with a busy child process), and torch's thread count following it.
#include "pipeline/cpu_share.h"
#include "support/tiny_models.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

void writeStat(const fs::path& proc, int pid, const std::string& name, char state, int nice)
{
    fs::create_directories(proc / std::to_string(pid));
    std::ofstream(proc / std::to_string(pid) / "stat")
        << pid << " (" << name << ") " << state << " 1 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 "
        << nice << " 1 0 100 1000 200\n";
}

} // namespace

TEST(CpuShare, ConfiguredThreadsLessTheCoresOthersHoldAtLeastOne)
{
    EXPECT_EQ(ldm::threadsForNextStep(2, 2, 0), 2);
    EXPECT_EQ(ldm::threadsForNextStep(2, 2, 1), 1);
    EXPECT_EQ(ldm::threadsForNextStep(2, 2, 5), 1);
    EXPECT_EQ(ldm::threadsForNextStep(4, 8, 3), 4);
    EXPECT_EQ(ldm::threadsForNextStep(8, 8, 3), 5);
    EXPECT_EQ(ldm::threadsForNextStep(1, 2, 0), 1);
    EXPECT_EQ(ldm::threadsForNextStep(0, 2, 0), 1);
}

TEST(CpuShare, CountsRunningProcessesAtNormalPriorityButNotItselfOrBackgroundWork)
{
    const fs::path proc = ldm::testing::makeTempDir("fake_proc");
    writeStat(proc, 10, "cc1plus", 'R', 0);
    writeStat(proc, 11, "my (odd) name", 'R', -5); // parentheses and spaces in the name
    writeStat(proc, 12, "trainer", 'R', 19);       // niced background work
    writeStat(proc, 13, "sleeper", 'S', 0);
    writeStat(proc, 14, "self", 'R', 0);
    fs::create_directories(proc / "self");          // not a pid
    std::ofstream(proc / "15") << "not a folder";    // unreadable entry
    EXPECT_EQ(ldm::otherBusyProcessesIn(proc.string(), 14), 2);
    EXPECT_EQ(ldm::otherBusyProcessesIn((proc / "missing").string(), 14), 0);
    fs::remove_all(proc);
}

TEST(CpuShare, ABusyChildProcessTakesACoreFromTheNextStep)
{
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        volatile unsigned long spin = 0;
        for (;;)
            spin = spin + 1;
    }
    // Give the child time to be scheduled as a running process.
    int seen = 0;
    for (int attempt = 0; attempt < 50 && seen == 0; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        seen = ldm::otherBusyProcesses();
    }
    EXPECT_GE(seen, 1) << "the spinning child was not seen as running";

    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    ldm::CpuShare::configure(cores, true, /*adaptive=*/true);
    const int chosen = ldm::CpuShare::adjust();
    EXPECT_LE(chosen, std::max(1, cores - 1));
    EXPECT_EQ(at::get_num_threads(), chosen);

    // A count the user chose stays as chosen, busy machine or not: results repeat bit for bit.
    at::set_num_threads(cores);
    ldm::CpuShare::configure(cores, true, /*adaptive=*/false);
    EXPECT_EQ(ldm::CpuShare::adjust(), cores);
    EXPECT_EQ(at::get_num_threads(), cores);

    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
}

TEST(CpuShare, OffCpuOrSingleThreadLeavesTheCountAlone)
{
    at::set_num_threads(1);
    ldm::CpuShare::configure(1, true, true);
    EXPECT_EQ(ldm::CpuShare::adjust(), 1);
    ldm::CpuShare::configure(4, false, true);
    EXPECT_EQ(ldm::CpuShare::adjust(), 4) << "a CUDA engine keeps its setting";
    EXPECT_EQ(at::get_num_threads(), 1) << "and does not touch the CPU thread count";
}

TEST(CpuShare, LdmThreadsIsReadOnlyWhenItIsACount)
{
    setenv("LDM_THREADS", "3", 1);
    EXPECT_EQ(ldm::threadsFromEnvironment(), 3);
    for (const char* bad : {"", "0", "-2", "3x", "100000"}) {
        setenv("LDM_THREADS", bad, 1);
        EXPECT_EQ(ldm::threadsFromEnvironment(), 0) << "'" << bad << "'";
    }
    unsetenv("LDM_THREADS");
    EXPECT_EQ(ldm::threadsFromEnvironment(), 0);
}
