// SPDX-License-Identifier: GPL-3.0-or-later
// The Brownian-tree noise of the SDE samplers (DPM++ SDE, DPM++ 2M SDE, DPM++ 3M SDE) as
// AUTOMATIC1111 and ComfyUI make it: k-diffusion's BrownianTreeNoiseSampler over torchsde's
// BrownianTree (a BrownianInterval with a dyadic "halfway" tree, tolerance 1e-6, entropy pooled
// by numpy's SeedSequence, pool size 24). The noise for a step from σ to σ_next is the Brownian
// increment W(σ_next) − W(σ) / √|σ_next − σ|, so the picture depends only on the seed, not on
// the order or number of queries — and one seed gives their picture here.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <vector>

namespace ldm {

/// numpy.random.SeedSequence(entropy, spawn_key, pool_size).generate_state(count): `count`
/// uint32 words. Each integer of the entropy and the spawn key counts as its 32-bit words,
/// least significant first (0 is one word).
std::vector<uint32_t> seedSequenceState(uint64_t entropy, const std::vector<uint64_t>& spawnKey,
                                        int poolSize, int count);

/// Python's round(x, digits) for a double: the nearest double to x correctly rounded to
/// `digits` decimals (ties to even on the exact binary value).
double roundDecimal(double x, int digits);

/// Standard-normal draws of `shape` (float32, C order) from a generator seeded with `seed` —
/// torchsde's torch.randn(size, generator=Generator(device).manual_seed(seed)).
using SeededNormal = std::function<torch::Tensor(uint64_t seed, at::IntArrayRef shape)>;

/// Where an SDE sampler's Brownian increments come from: the image's seed and the generator
/// that draws the tree's normals (A1111: the device's torch.randn — `nv` on an NVIDIA GPU;
/// ComfyUI and A1111 on a CPU: the CPU generator).
struct BrownianSource {
    uint64_t seed = 0;
    SeededNormal normal;
};

/// torchsde.BrownianTree(t0, 0, t1, entropy): W over [t0, t1] of a fixed shape.
class BrownianTree {
public:
    BrownianTree(double t0, double t1, std::vector<int64_t> shape, uint64_t entropy,
                 SeededNormal normal);
    ~BrownianTree();
    BrownianTree(const BrownianTree&) = delete;
    BrownianTree& operator=(const BrownianTree&) = delete;

    /// W(tb) − W(ta), ta ≤ tb; times outside [t0, t1] are clamped into it as torchsde does.
    torch::Tensor increment(double ta, double tb);

private:
    struct Node;
    void locate(Node* node, double ta, double tb, std::vector<Node*>& out);
    void split(Node* node, double target);
    void splitExact(Node* node, double midway);
    torch::Tensor incrementOf(Node* node);
    void remember(Node* node, torch::Tensor w);

    std::vector<int64_t> m_shape;
    uint64_t m_entropy;
    SeededNormal m_normal;
    std::unique_ptr<Node> m_root;
    std::list<Node*> m_cached; ///< nodes whose increment is cached, oldest first
};

/// k-diffusion's BrownianTreeNoiseSampler with A1111's per-image seed: unit-variance noise for
/// a step from σ to σ_next, both in [σ_min, σ_max] (float32, as k-diffusion passes them).
class BrownianTreeNoise {
public:
    BrownianTreeNoise(float sigmaMin, float sigmaMax, std::vector<int64_t> shape, uint64_t seed,
                      SeededNormal normal);
    torch::Tensor operator()(float sigma, float sigmaNext);

private:
    BrownianTree m_tree;
};

} // namespace ldm
