// SPDX-License-Identifier: GPL-3.0-or-later
// The data RNG of the trainers: one 64-bit word of state, so a run folder can store it and a
// resumed run draws exactly the crops the uninterrupted run would have drawn. std::mt19937 and
// std distributions are avoided because their state is large and their outputs differ between
// standard libraries.
#pragma once

#include <cmath>
#include <cstdint>

namespace ldm::train {

/// SplitMix64: tiny, fast and good enough for picking crops, flips and scene seeds.
class TrainRng
{
public:
    /// Starts from `seed`; two different seeds give unrelated streams.
    explicit TrainRng(uint64_t seed = 0)
        : m_state(seed)
    {
    }

    /// The whole state (store it to resume).
    uint64_t state() const { return m_state; }
    /// Restores a state returned by state().
    void setState(uint64_t state) { m_state = state; }

    /// Next 64 random bits.
    uint64_t next()
    {
        uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1).
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    /// Uniform in [low, high).
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    /// Uniform integer in [0, count); 0 when count is 0.
    uint64_t below(uint64_t count) { return count ? next() % count : 0; }
    /// True with probability p.
    bool chance(double p) { return uniform() < p; }

private:
    uint64_t m_state;
};

/// Mixes several words into one seed (for per-item seeds that do not depend on draw order).
inline uint64_t mixSeed(uint64_t a, uint64_t b, uint64_t c = 0)
{
    TrainRng rng(a ^ (b * 0xD1B54A32D192ED03ull) ^ (c * 0x8CB92BA72F3D8DD7ull));
    rng.next();
    return rng.next();
}

} // namespace ldm::train
