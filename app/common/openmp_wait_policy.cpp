// SPDX-License-Identifier: GPL-3.0-or-later
// Makes idle OpenMP threads sleep instead of spinning, unless the user chose otherwise.
//
// Why: with libgomp's default spin-wait, a 2-thread job on a 2-core machine whose other core is
// busy (a compile, a browser) waits at every barrier for a preempted thread: the same txt2img
// took 91 s with 2 threads against 4.3 s with 1. With passive waiting 2 threads are never much
// slower than 1 under load (scripts/bench-busy-core.sh measures it).
//
// libgomp reads OMP_WAIT_POLICY once, in its own initialiser, before main(). Setting it from main()
// is too late, and the executable's .preinit_array is too early (libc's own start-up then resets
// the environment). A constructor in a small shared library that the programs link runs after
// libc's start-up and, as tests/tst_openmp_policy.cpp checks, before libgomp's.
#include <cstdlib>

namespace {

__attribute__((constructor)) void choosePassiveOpenMpWaits()
{
    // The last argument 0 keeps a value the user or a benchmark has set.
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
}

} // namespace
