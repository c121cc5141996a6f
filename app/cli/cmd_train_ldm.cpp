// SPDX-License-Identifier: GPL-3.0-or-later
// `train-ldm`: not implemented yet; the design is in the lead's notes (L_simple on frozen
// first-stage latents, joint text encoder, 10 % condition dropout, EMA, resumable runs).
#include "commands.h"

#include <cstdio>

namespace ldm::cli {

int runTrainLdm(const std::vector<std::string>&)
{
    std::fprintf(stderr, "train-ldm: not available in this build yet\n");
    return ExitFailure;
}

} // namespace ldm::cli
