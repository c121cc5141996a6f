// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sampling/brownian_tree.h"
#include "sampling/torch_compatible_noise.h"

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>

namespace ldm {

struct Recipe;

/// Which generator turns the seed into noise (Recipe::rng).
enum class NoiseKind {
    Ours,     ///< "ours": our own splitmix64 + Box–Muller generator (the default)
    TorchCpu, ///< "cpu": torch.randn on a CPU generator (A1111 "CPU", ComfyUI)
    Philox,   ///< "nv": A1111's Philox generator (its "NV" source = GPU torch.randn, A1111's default)
};

/// "ours", "cpu", "nv"; parsing is case-insensitive and also takes A1111's "CPU", "NV", "GPU".
const char* noiseKindName(NoiseKind kind);
std::optional<NoiseKind> parseNoiseKind(const std::string& name);

/// Our own seeded standard-normal generator, or one that reproduces another tool's. It runs on
/// the CPU, one value after another, so a seed gives the same noise on every machine, thread
/// count and device (torch's own generators differ between CPU and CUDA and across versions).
/// Ours: splitmix64 → 53-bit uniforms → Box–Muller in double precision, stored as float32.
class NoiseGenerator {
public:
    explicit NoiseGenerator(uint64_t seed, NoiseKind kind = NoiseKind::Ours,
                            uint64_t etaNoiseSeedDelta = 0);

    /// A float32 CPU tensor of standard-normal draws in C order. For the A1111 kinds each call
    /// is one draw of the whole tensor, as A1111's ImageRNG makes them (batch 1); after the
    /// first, a non-zero eta noise seed delta reseeds with seed + delta, as A1111 does.
    torch::Tensor normal(at::IntArrayRef shape);
    /// The next uniform in (0, 1) of our own generator.
    double uniform();

private:
    uint64_t next();
    uint64_t m_seed;
    uint64_t m_state;
    NoiseKind m_kind;
    uint64_t m_etaNoiseSeedDelta;
    bool m_first = true;
    bool m_hasSpare = false;
    double m_spare = 0.0;
    std::optional<TorchCpuNormal> m_torchCpu;
    std::optional<PhiloxNormal> m_philox;
};

/// The SDE samplers' Brownian tree for a recipe: seeded with the image's seed (A1111's
/// all_seeds; not the variation seed, not the eta noise seed delta), its normals from the
/// recipe's generator seeded with the tree's seeds.
BrownianSource brownianSourceFor(const Recipe& recipe);

/// A1111's slerp of two noise tensors [N, C, H, W] (modules/rng.py, from its variation seeds),
/// image by image as A1111 calls it: norms and angles along H of each [C, H, W] image; where
/// the two are nearly parallel it blends linearly with A1111's own weights (low·val +
/// high·(1 − val)). `val` 0 gives `low`, 1 gives `high`.
torch::Tensor slerpNoise(double val, const torch::Tensor& low, const torch::Tensor& high);

} // namespace ldm
