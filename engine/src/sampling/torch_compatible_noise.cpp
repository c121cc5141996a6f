// SPDX-License-Identifier: GPL-3.0-or-later
// Built with -ffp-contract=off (engine/CMakeLists.txt): the reference rounds after every
// multiply and add except where it fuses them, so the compiler must not fuse any others.
#include "sampling/torch_compatible_noise.h"

#include <cmath>
#include <cstring>

namespace ldm {
namespace {

float bitsToFloat(uint32_t bits)
{
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

uint32_t floatToBits(float value)
{
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

// The cephes-derived log256_ps of PyTorch's avx_mathfun.h, one lane, with the multiply-adds the
// compiler fused in PyTorch's AVX2 build as std::fma (found by matching its recorded output).
float cephesLog(float x)
{
    x = std::fmax(x, bitsToFloat(0x00800000u));
    const int32_t exponent = int32_t(floatToBits(x) >> 23) - 0x7f;
    x = bitsToFloat((floatToBits(x) & ~0x7f800000u) | floatToBits(0.5f));
    float e = float(exponent) + 1.0f;
    const bool belowSqrtHalf = x < 0.707106781186547524f;
    const float tmp = belowSqrtHalf ? x : 0.0f;
    x = x - 1.0f;
    e = e - (belowSqrtHalf ? 1.0f : 0.0f);
    x = x + tmp;
    const float z = x * x;
    static constexpr float P[] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                                  -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                                  2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
    float y = P[0];
    for (int i = 1; i < 9; ++i)
        y = std::fma(y, x, P[i]);
    y = y * x;
    y = std::fma(y, z, e * -2.12194440e-4f);
    y = std::fma(-z, 0.5f, y);
    x = x + y;
    return std::fma(e, 0.693359375f, x);
}

// sincos256_ps of avx_mathfun.h, one lane, fused the same way.
void cephesSinCos(float x, float& sine, float& cosine)
{
    bool sineNegative = std::signbit(x);
    x = std::fabs(x);
    int32_t octant = int32_t(x * 1.27323954473516f);
    octant = (octant + 1) & ~1;
    const float y = float(octant);
    sineNegative ^= (octant & 4) != 0;
    const bool cosineNegative = ((~(octant - 2)) & 4) != 0;
    const bool sinePolynomial = (octant & 2) == 0;
    x = std::fma(y, -0.78515625f, x);
    x = std::fma(y, -2.4187564849853515625e-4f, x);
    x = std::fma(y, -3.77489497744594108e-8f, x);
    const float z = x * x;
    float c = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
    c = std::fma(c, z, 4.166664568298827E-002f);
    c = c * z;
    c = std::fma(c, z, -(z * 0.5f));
    c = c + 1.0f;
    float s = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
    s = std::fma(s, z, -1.6666654611E-1f);
    s = s * z;
    s = std::fma(s, x, x);
    const float sinePart = sinePolynomial ? s : c;
    const float cosinePart = sinePolynomial ? c : s;
    sine = sineNegative ? -sinePart : sinePart;
    cosine = cosineNegative ? -cosinePart : cosinePart;
}

// normal_fill_16_AVX2: data[0..8) become radius·cos, data[8..16) radius·sin.
void boxMuller16(float* data)
{
    const float twoPi = float(2.0 * M_PI);
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - data[j];
        const float u2 = data[j + 8];
        const float radius = std::sqrt(-2.0f * cephesLog(u1));
        float sine = 0, cosine = 0;
        cephesSinCos(twoPi * u2, sine, cosine);
        data[j] = radius * cosine;
        data[j + 8] = radius * sine;
    }
}

uint32_t mulHigh(uint32_t a, uint32_t b, uint32_t& low)
{
    const uint64_t product = uint64_t(a) * uint64_t(b);
    low = uint32_t(product);
    return uint32_t(product >> 32);
}

} // namespace

TorchCpuNormal::TorchCpuNormal(uint64_t seed)
{
    m_state[0] = uint32_t(seed & 0xffffffffu);
    for (uint32_t i = 1; i < 624; ++i)
        m_state[i] = 1812433253u * (m_state[i - 1] ^ (m_state[i - 1] >> 30)) + i;
}

uint32_t TorchCpuNormal::random()
{
    if (m_index >= 624) {
        for (int i = 0; i < 624; ++i) {
            const uint32_t y = (m_state[i] & 0x80000000u) | (m_state[(i + 1) % 624] & 0x7fffffffu);
            m_state[i] = m_state[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        m_index = 0;
    }
    uint32_t y = m_state[m_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t TorchCpuNormal::random64()
{
    const uint64_t high = random();
    const uint64_t low = random();
    return (high << 32) | low;
}

float TorchCpuNormal::uniform24()
{
    return float(random() & 0xffffffu) * (1.0f / 16777216.0f);
}

double TorchCpuNormal::uniform53()
{
    return double(random64() & ((uint64_t(1) << 53) - 1)) * (1.0 / 9007199254740992.0);
}

std::vector<float> TorchCpuNormal::next(int64_t count)
{
    std::vector<float> out(size_t(std::max<int64_t>(count, 0)));
    if (count >= 16) {
        for (float& value : out)
            value = uniform24();
        for (int64_t i = 0; i + 16 <= count; i += 16)
            boxMuller16(out.data() + i);
        if (count % 16 != 0) {
            float* tail = out.data() + count - 16;
            for (int i = 0; i < 16; ++i)
                tail[i] = uniform24();
            boxMuller16(tail);
        }
        return out;
    }
    // Fewer than 16 values: at::normal_distribution<double>, one value per call, the second of
    // each Box–Muller pair kept in the generator for the next value (even across calls).
    for (float& value : out) {
        if (m_cachedNormal) {
            value = float(*m_cachedNormal);
            m_cachedNormal.reset();
            continue;
        }
        const double u1 = uniform53();
        const double u2 = uniform53();
        const double radius = std::sqrt(-2.0 * std::log1p(-u2));
        const double theta = 2.0 * M_PI * u1;
        m_cachedNormal = radius * std::sin(theta);
        value = float(radius * std::cos(theta));
    }
    return out;
}

PhiloxNormal::PhiloxNormal(uint64_t seed)
    : m_seed(seed)
{
}

std::vector<float> PhiloxNormal::next(int64_t count)
{
    // float32 constants as rng_philox.py holds them; the arithmetic is float64 (numpy promotes
    // uint32 · float32 to float64), rounded to float32 at the end.
    const double scale = double(2.3283064e-10f);
    const double scale2Pi = double(float(2.3283064e-10 * 6.2831855));
    std::vector<float> out(size_t(std::max<int64_t>(count, 0)));
    for (int64_t i = 0; i < count; ++i) {
        uint32_t c0 = m_offset, c1 = 0, c2 = uint32_t(i), c3 = 0;
        uint32_t k0 = uint32_t(m_seed), k1 = uint32_t(m_seed >> 32);
        for (int round = 0; round < 10; ++round) {
            uint32_t low0 = 0, low2 = 0;
            const uint32_t high0 = mulHigh(c0, 0xD2511F53u, low0);
            const uint32_t high2 = mulHigh(c2, 0xCD9E8D57u, low2);
            const uint32_t n0 = high2 ^ c1 ^ k0;
            const uint32_t n2 = high0 ^ c3 ^ k1;
            c0 = n0;
            c1 = low2;
            c2 = n2;
            c3 = low0;
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const double u = double(c0) * scale + scale / 2;
        const double v = double(c1) * scale2Pi + scale2Pi / 2;
        out[size_t(i)] = float(std::sqrt(-2.0 * std::log(u)) * std::sin(v));
    }
    ++m_offset;
    return out;
}

} // namespace ldm
