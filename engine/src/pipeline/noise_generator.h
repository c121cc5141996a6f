// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm {

/// Our own seeded standard-normal generator. It runs on the CPU, one value after another,
/// so a seed gives the same noise on every machine, thread count and device (torch's
/// generators differ between CPU and CUDA and across versions). splitmix64 → 53-bit uniforms
/// → Box–Muller in double precision, stored as float32.
class NoiseGenerator {
public:
    explicit NoiseGenerator(uint64_t seed);

    /// A float32 CPU tensor of standard-normal draws in C order.
    torch::Tensor normal(at::IntArrayRef shape);
    /// The next uniform in (0, 1).
    double uniform();

private:
    uint64_t next();
    uint64_t m_state;
    bool m_hasSpare = false;
    double m_spare = 0.0;
};

} // namespace ldm
