// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/brownian_tree.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace ldm {
namespace {

// numpy's SeedSequence constants (numpy/random/bit_generator.pyx).
constexpr uint32_t InitA = 0x43b0d7e5u;
constexpr uint32_t MultA = 0x931e8875u;
constexpr uint32_t InitB = 0x8b51f9ddu;
constexpr uint32_t MultB = 0x58f38dedu;
constexpr uint32_t MixMultL = 0xca01f9ddu;
constexpr uint32_t MixMultR = 0x4973f715u;
constexpr int XShift = 16;

uint32_t hashMix(uint32_t value, uint32_t& hashConst)
{
    value ^= hashConst;
    hashConst *= MultA;
    value *= hashConst;
    value ^= value >> XShift;
    return value;
}

uint32_t mix(uint32_t x, uint32_t y)
{
    uint32_t result = MixMultL * x - MixMultR * y;
    result ^= result >> XShift;
    return result;
}

// numpy's _int_to_uint32_array: 32-bit words, least significant first; 0 is one word.
void appendWords(uint64_t value, std::vector<uint32_t>& out)
{
    if (value == 0)
        out.push_back(0);
    while (value > 0) {
        out.push_back(uint32_t(value & 0xffffffffu));
        value >>= 32;
    }
}

// torchsde's BrownianTree settings.
constexpr int PoolSize = 24;
constexpr int ToleranceDigits = 6; // tol = 1e-6 → round(x, 6)
constexpr size_t CacheSize = 64;   // torchsde keeps 45; any size gives the same values
constexpr uint64_t MaxDepth = 62;  // the spawn key (< 2^depth) must fit 64 bits

} // namespace

std::vector<uint32_t> seedSequenceState(uint64_t entropy, const std::vector<uint64_t>& spawnKey,
                                        int poolSize, int count)
{
    std::vector<uint32_t> words;
    appendWords(entropy, words);
    if (!spawnKey.empty() && words.size() < size_t(poolSize))
        words.resize(size_t(poolSize), 0); // numpy pads so spawn keys cannot collide
    for (uint64_t key : spawnKey)
        appendWords(key, words);

    std::vector<uint32_t> pool(static_cast<size_t>(poolSize));
    uint32_t hashConst = InitA;
    for (size_t i = 0; i < pool.size(); ++i)
        pool[i] = hashMix(i < words.size() ? words[i] : 0, hashConst);
    for (size_t src = 0; src < pool.size(); ++src)
        for (size_t dst = 0; dst < pool.size(); ++dst)
            if (src != dst)
                pool[dst] = mix(pool[dst], hashMix(pool[src], hashConst));
    for (size_t src = pool.size(); src < words.size(); ++src)
        for (size_t dst = 0; dst < pool.size(); ++dst)
            pool[dst] = mix(pool[dst], hashMix(words[src], hashConst));

    std::vector<uint32_t> state(static_cast<size_t>(count));
    uint32_t outConst = InitB;
    for (size_t i = 0; i < state.size(); ++i) {
        uint32_t value = pool[i % pool.size()];
        value ^= outConst;
        outConst *= MultB;
        value *= outConst;
        value ^= value >> XShift;
        state[i] = value;
    }
    return state;
}

double roundDecimal(double x, int digits)
{
    // printf rounds the exact binary value correctly (ties to even), as Python's round does
    // through its own dtoa; strtod gives the nearest double back.
    char text[512];
    std::snprintf(text, sizeof text, "%.*f", digits, x);
    return std::strtod(text, nullptr);
}

struct BrownianTree::Node {
    double start = 0, end = 0;
    Node* parent = nullptr;
    bool isLeft = false;
    bool isSplit = false;
    double midway = 0;
    uint64_t spawnKey = 0, depth = 0;
    uint32_t wSeed = 0; ///< seeds the split of this node's increment between its children
    std::unique_ptr<Node> left, right;
    torch::Tensor w; ///< the increment over [start, end] when cached (always for the root)
};

BrownianTree::BrownianTree(double t0, double t1, std::vector<int64_t> shape, uint64_t entropy,
                           SeededNormal normal)
    : m_shape(std::move(shape))
    , m_entropy(entropy)
    , m_normal(std::move(normal))
    , m_root(std::make_unique<Node>())
{
    if (!(t0 < t1))
        throw std::invalid_argument("a Brownian tree needs t0 < t1");
    m_root->start = roundDecimal(t0, ToleranceDigits);
    m_root->end = roundDecimal(t1, ToleranceDigits);
    const auto seeds = seedSequenceState(m_entropy, {}, PoolSize, 3);
    m_root->w = m_normal(seeds[0], m_shape) * std::sqrt(t1 - t0);
}

BrownianTree::~BrownianTree() = default;

void BrownianTree::splitExact(Node* node, double midway)
{
    if (node->parent) {
        node->spawnKey = 2 * node->parent->spawnKey + (node->isLeft ? 0 : 1);
        node->depth = node->parent->depth + 1;
    }
    if (node->depth > MaxDepth)
        throw std::runtime_error("Brownian tree query below its tolerance");
    node->midway = roundDecimal(midway, ToleranceDigits);
    node->isSplit = true;
    node->wSeed = seedSequenceState(m_entropy, {node->spawnKey, node->depth}, PoolSize, 4)[0];
    node->left = std::make_unique<Node>();
    node->left->start = node->start;
    node->left->end = node->midway;
    node->left->parent = node;
    node->left->isLeft = true;
    node->right = std::make_unique<Node>();
    node->right->start = node->midway;
    node->right->end = node->end;
    node->right->parent = node;
}

// The halfway tree always splits at the (rounded) middle and goes on down until the target
// is a split point, so the tree's shape depends on the queried points only.
void BrownianTree::split(Node* node, double target)
{
    splitExact(node, 0.5 * (node->end + node->start));
    if (target > node->midway)
        split(node->right.get(), target);
    else if (target < node->midway)
        split(node->left.get(), target);
}

// torchsde's _loc_inner: the nodes whose intervals tile [ta, tb], left to right.
void BrownianTree::locate(Node* node, double ta, double tb, std::vector<Node*>& out)
{
    if (ta < node->start || tb > node->end)
        return locate(node->parent, ta, tb, out);
    if (ta == node->start && tb == node->end) {
        out.push_back(node);
        return;
    }
    if (!node->isSplit) {
        if (ta == node->start) {
            split(node, tb);
            return locate(node->left.get(), ta, tb, out);
        }
        split(node, ta);
        return locate(node->right.get(), ta, tb, out);
    }
    if (tb <= node->midway)
        return locate(node->left.get(), ta, tb, out);
    if (ta >= node->midway)
        return locate(node->right.get(), ta, tb, out);
    locate(node->left.get(), ta, node->midway, out);
    locate(node->right.get(), node->midway, tb, out);
}

void BrownianTree::remember(Node* node, torch::Tensor w)
{
    node->w = std::move(w);
    m_cached.push_back(node);
    if (m_cached.size() > CacheSize) {
        m_cached.front()->w = torch::Tensor();
        m_cached.pop_front();
    }
}

// A child's increment given its parent's: the Brownian bridge between the parent's ends at
// the midway point, drawn with the parent's seed (torchsde's _increment_and_space_time_levy_area
// without Lévy area), in the same float32 operations.
torch::Tensor BrownianTree::incrementOf(Node* node)
{
    if (node->w.defined())
        return node->w;
    const Node* parent = node->parent;
    const torch::Tensor w = incrementOf(node->parent);
    const double hReciprocal = 1.0 / (parent->end - parent->start);
    const double leftDiff = parent->midway - parent->start;
    const double rightDiff = parent->end - parent->midway;
    const torch::Tensor mean = w * leftDiff * hReciprocal;
    const double variance = leftDiff * rightDiff * hReciprocal;
    const torch::Tensor leftW = mean + m_normal(parent->wSeed, m_shape) * std::sqrt(variance);
    torch::Tensor out = node->isLeft ? leftW : w - leftW;
    remember(node, out);
    return out;
}

torch::Tensor BrownianTree::increment(double ta, double tb)
{
    const double start = m_root->start, end = m_root->end;
    ta = std::clamp(ta, start, end);
    tb = std::clamp(tb, start, end);
    if (ta > tb)
        throw std::invalid_argument("Brownian tree queried with ta > tb");
    ta = roundDecimal(ta, ToleranceDigits);
    tb = roundDecimal(tb, ToleranceDigits);
    if (ta == tb)
        return torch::zeros(m_shape, torch::kFloat32);
    std::vector<Node*> nodes;
    locate(m_root.get(), ta, tb, nodes);
    torch::Tensor w = incrementOf(nodes.front());
    for (size_t i = 1; i < nodes.size(); ++i)
        w = w + incrementOf(nodes[i]);
    return w;
}

BrownianTreeNoise::BrownianTreeNoise(float sigmaMin, float sigmaMax, std::vector<int64_t> shape,
                                     uint64_t seed, SeededNormal normal)
    : m_tree(double(std::min(sigmaMin, sigmaMax)), double(std::max(sigmaMin, sigmaMax)),
             std::move(shape), seed, std::move(normal))
{
}

torch::Tensor BrownianTreeNoise::operator()(float sigma, float sigmaNext)
{
    // k-diffusion: W over the sorted pair, signed by the direction, over √|Δσ| in float32.
    const bool rising = sigma < sigmaNext;
    torch::Tensor w = rising ? m_tree.increment(sigma, sigmaNext)
                             : -m_tree.increment(sigmaNext, sigma);
    return w / double(std::sqrt(std::fabs(sigmaNext - sigma)));
}

} // namespace ldm
