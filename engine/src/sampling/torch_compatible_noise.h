// SPDX-License-Identifier: GPL-3.0-or-later
// The two noise sources other Stable Diffusion tools seed, reproduced bit for bit so that one
// seed gives their picture here: PyTorch's CPU generator (AUTOMATIC1111's "CPU" source and
// ComfyUI's noise) and AUTOMATIC1111's Philox generator (its "NV" source, which equals
// torch.randn on an NVIDIA GPU). Both are plain C++ over float32, so they give the same values
// on every machine, whatever SIMD kernel the linked LibTorch would pick.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace ldm {

/// torch.Generator("cpu").manual_seed(seed) followed by torch.randn(n) calls, as PyTorch 1.13
/// computes them: mt19937 32-bit draws, 24-bit uniforms, and for n ≥ 16 the blockwise
/// Box–Muller of its AVX2 kernel (16 values at a time, the last block recomputed when n is not
/// a multiple of 16); for n < 16 the scalar double-precision path with its cached second value.
class TorchCpuNormal {
public:
    explicit TorchCpuNormal(uint64_t seed);
    /// The next torch.randn of `count` values (float32, C order).
    std::vector<float> next(int64_t count);

private:
    uint32_t random();
    uint64_t random64();
    float uniform24();
    double uniform53();

    std::array<uint32_t, 624> m_state{};
    int m_index = 624;
    std::optional<double> m_cachedNormal; // the generator's next_double_normal_sample
};

/// AUTOMATIC1111's rng_philox.Generator: value i of draw k is Box–Muller of the first two
/// words of Philox4x32-10 with key = seed (64 bits) and counter = (k, 0, i, 0), in double
/// precision from float32 constants, stored as float32. Each call is one offset.
class PhiloxNormal {
public:
    explicit PhiloxNormal(uint64_t seed);
    /// The next randn(shape) of `count` values (float32, C order).
    std::vector<float> next(int64_t count);

private:
    uint64_t m_seed;
    uint32_t m_offset = 0;
};

} // namespace ldm
