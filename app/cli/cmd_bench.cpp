// SPDX-License-Identifier: GPL-3.0-or-later
#include "commands.h"

#include <cstdio>

namespace ldm::cli {

int runBench(const std::vector<std::string>&)
{
    std::fprintf(stderr, "bench: not available in this build yet\n");
    return ExitFailure;
}

} // namespace ldm::cli
