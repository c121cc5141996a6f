// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Seeded random numbers and value noise for the procedural landscape world. Everything here is
// written out by hand (no std::*_distribution) so one seed gives the same scene with every
// standard library and compiler.

#include <cmath>
#include <cstdint>

namespace ldm::data {

/// splitmix64 step: a strong 64-bit mixer, used both as a PRNG and as a hash.
inline uint64_t splitMix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// Small deterministic PRNG (splitmix64 stream) with its own uniform and normal draws.
class Rng
{
public:
    /// Starts a stream; streams with different seeds are independent for our purposes.
    explicit Rng(uint64_t seed)
        : m_state(splitMix64(seed ^ 0x5851f42d4c957f2dULL))
    {
    }

    /// Next raw 64 bits.
    uint64_t next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        uint64_t z = m_state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    /// Uniform in [0, 1) with 24 bits, exactly representable as float.
    float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

    /// Uniform in [lo, hi).
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

    /// Uniform integer in [lo, hi] (inclusive); the tiny modulo bias is irrelevant here.
    int range(int lo, int hi)
    {
        return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1));
    }

    /// True with probability p.
    bool chance(float p) { return uniform() < p; }

    /// Standard normal draw (Box-Muller; the second value is dropped for simplicity).
    float normal()
    {
        const float u1 = 1.0f - uniform(); // (0, 1]: log stays finite
        const float u2 = uniform();
        return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530718f * u2);
    }

    /// A child seed for an independent sub-stream (e.g. one per layer).
    uint64_t fork() { return next(); }

private:
    uint64_t m_state;
};

/// Hash of a lattice point to [0, 1).
inline float latticeValue(int32_t x, int32_t y, uint32_t seed)
{
    uint32_t h = static_cast<uint32_t>(x) * 0x8da6b343u ^ static_cast<uint32_t>(y) * 0xd8163841u ^
                 seed * 0xcb1ab31fu;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    h *= 0x297a2d39u;
    h ^= h >> 15;
    return static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

/// floor() for the moderate coordinates used here, without the libm call.
inline int32_t fastFloor(float x)
{
    const auto i = static_cast<int32_t>(x);
    return i - static_cast<int32_t>(x < static_cast<float>(i));
}

/// Lattice value for a pre-combined corner hash, in [0, 1).
inline float cornerValue(uint32_t h)
{
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    h *= 0x297a2d39u;
    h ^= h >> 15;
    return static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

/// Smooth value noise in [0, 1] at (x, y); lattice spacing 1. The hot path of the generator:
/// the row and column hashes are shared by the four corners.
inline float valueNoise(float x, float y, uint32_t seed)
{
    const int32_t ix = fastFloor(x);
    const int32_t iy = fastFloor(y);
    float tx = x - static_cast<float>(ix);
    float ty = y - static_cast<float>(iy);
    tx = tx * tx * (3.0f - 2.0f * tx);
    ty = ty * ty * (3.0f - 2.0f * ty);
    const uint32_t sx0 = static_cast<uint32_t>(ix) * 0x8da6b343u;
    const uint32_t sx1 = sx0 + 0x8da6b343u;
    const uint32_t sy0 = static_cast<uint32_t>(iy) * 0xd8163841u + seed * 0xcb1ab31fu;
    const uint32_t sy1 = sy0 + 0xd8163841u;
    const float a = cornerValue(sx0 ^ sy0);
    const float b = cornerValue(sx1 ^ sy0);
    const float c = cornerValue(sx0 ^ sy1);
    const float d = cornerValue(sx1 ^ sy1);
    const float top = a + (b - a) * tx;
    const float bottom = c + (d - c) * tx;
    return top + (bottom - top) * ty;
}

/// Octave weights of fbm(): which octaves a footprint keeps, their weights and the normaliser.
struct FbmPlan
{
    int octaves = 0;    ///< octaves actually evaluated
    float weight[12]{}; ///< amplitude x footprint fade per octave
    float norm = 0.0f;  ///< divisor that keeps the result in [-0.5, 0.5]
};

/// Plans an fbm evaluation. `footprint` is the size of one pixel in noise units: octaves finer
/// than a pixel fade out instead of aliasing into grain.
inline FbmPlan planFbm(int octaves, float gain, float footprint)
{
    FbmPlan p;
    float amp = 1.0f;
    float freq = 1.0f;
    for (int i = 0; i < octaves && i < 12; ++i) {
        float w = 1.0f;
        if (footprint > 0.0f) {
            const float cycles = footprint * freq; // lattice cells per pixel
            if (cycles > 0.7f)
                break;
            if (cycles > 0.35f)
                w = (0.7f - cycles) / 0.35f;
        }
        p.weight[i] = w * amp;
        p.norm += amp;
        p.octaves = i + 1;
        amp *= gain;
        freq *= 2.03f; // not exactly 2 so octave lattices do not line up
    }
    return p;
}

/// Fractal sum of value noise, centred on 0 (within [-0.5, 0.5]).
inline float fbm(float x, float y, uint32_t seed, int octaves, float gain = 0.5f,
                 float footprint = 0.0f)
{
    const FbmPlan p = planFbm(octaves, gain, footprint);
    float sum = 0.0f;
    float freq = 1.0f;
    for (int i = 0; i < p.octaves; ++i) {
        sum +=
            p.weight[i] * (valueNoise(x * freq, y * freq, seed + static_cast<uint32_t>(i)) - 0.5f);
        freq *= 2.03f;
    }
    return p.norm > 0.0f ? sum / p.norm : 0.0f;
}

/// Exactly `fbm(...) > threshold`, but stops as soon as the remaining octaves cannot change the
/// answer (each octave adds at most half its weight). Most class tests end after one octave.
inline bool fbmAbove(float x, float y, uint32_t seed, int octaves, float gain, float footprint,
                     float threshold)
{
    const FbmPlan p = planFbm(octaves, gain, footprint);
    if (p.norm <= 0.0f)
        return 0.0f > threshold;
    float rest = 0.0f;
    for (int i = 0; i < p.octaves; ++i)
        rest += 0.5f * p.weight[i];
    const float target = threshold * p.norm;
    const float margin = 1e-4f * p.norm; // float rounding: decide early only when clear-cut
    float sum = 0.0f;
    float freq = 1.0f;
    for (int i = 0; i < p.octaves; ++i) {
        sum +=
            p.weight[i] * (valueNoise(x * freq, y * freq, seed + static_cast<uint32_t>(i)) - 0.5f);
        rest -= 0.5f * p.weight[i];
        if (sum - rest > target + margin)
            return true;
        if (sum + rest < target - margin)
            return false;
        freq *= 2.03f;
    }
    return sum / p.norm > threshold;
}

/// fbm() that may stop early once the result is certain to stay below `floor`; then it returns
/// some value below `floor` instead of the exact one. For fields only used above a threshold.
inline float fbmUnless(float x, float y, uint32_t seed, int octaves, float gain, float footprint,
                       float floor)
{
    const FbmPlan p = planFbm(octaves, gain, footprint);
    if (p.norm <= 0.0f)
        return 0.0f;
    float rest = 0.0f;
    for (int i = 0; i < p.octaves; ++i)
        rest += 0.5f * p.weight[i];
    const float target = floor * p.norm - 1e-4f * p.norm;
    float sum = 0.0f;
    float freq = 1.0f;
    for (int i = 0; i < p.octaves; ++i) {
        sum +=
            p.weight[i] * (valueNoise(x * freq, y * freq, seed + static_cast<uint32_t>(i)) - 0.5f);
        rest -= 0.5f * p.weight[i];
        if (sum + rest < target)
            return (sum + rest) / p.norm;
        freq *= 2.03f;
    }
    return sum / p.norm;
}

/// 1D fractal noise (a ridgeline profile), centred on 0.
inline float fbm1(float x, uint32_t seed, int octaves, float gain = 0.5f)
{
    return fbm(x, 0.37f, seed, octaves, gain);
}

/// Cellular (Worley) noise: distance to the nearest jittered feature point, and that point's id.
struct CellSample
{
    float dist;      ///< distance to the nearest feature point, in cell units
    float dx;        ///< offset of the sample from that point (x), to light crowns from one side
    float dy;        ///< offset (y)
    uint32_t cellId; ///< hash of the winning cell, for per-tree colour
};

/// Worley noise with one jittered point per unit cell.
inline CellSample cellNoise(float x, float y, uint32_t seed)
{
    const auto ix = static_cast<int32_t>(std::floor(x));
    const auto iy = static_cast<int32_t>(std::floor(y));
    CellSample best{1e9f, 0.0f, 0.0f, 0u};
    for (int j = -1; j <= 1; ++j) {
        for (int i = -1; i <= 1; ++i) {
            const int32_t cx = ix + i;
            const int32_t cy = iy + j;
            const float px = static_cast<float>(cx) + latticeValue(cx, cy, seed);
            const float py = static_cast<float>(cy) + latticeValue(cx, cy, seed ^ 0x9e37u);
            const float dx = x - px;
            const float dy = y - py;
            const float d = dx * dx + dy * dy;
            if (d < best.dist) {
                best.dist = d;
                best.dx = dx;
                best.dy = dy;
                best.cellId =
                    static_cast<uint32_t>(cx) * 73856093u ^ static_cast<uint32_t>(cy) * 19349663u;
            }
        }
    }
    best.dist = std::sqrt(best.dist);
    return best;
}

/// Hermite step between e0 and e1.
inline float smoothStep(float e0, float e1, float x)
{
    float t = (x - e0) / (e1 - e0);
    t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
    return t * t * (3.0f - 2.0f * t);
}

/// Clamp to [lo, hi].
inline float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/// Linear interpolation.
inline float mixf(float a, float b, float t)
{
    return a + (b - a) * t;
}

} // namespace ldm::data
