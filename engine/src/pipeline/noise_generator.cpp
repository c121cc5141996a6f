// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/noise_generator.h"

#include <cmath>

namespace ldm {

NoiseGenerator::NoiseGenerator(uint64_t seed)
    : m_state(seed ^ 0x6a09e667f3bcc909ull)
{
}

uint64_t NoiseGenerator::next()
{
    uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double NoiseGenerator::uniform()
{
    // 53 random bits, shifted by half a step so 0 never occurs (log(0) in Box–Muller).
    return (double(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

torch::Tensor NoiseGenerator::normal(at::IntArrayRef shape)
{
    torch::Tensor out = torch::empty(shape, torch::kFloat32);
    float* data = out.data_ptr<float>();
    const int64_t count = out.numel();
    for (int64_t i = 0; i < count; ++i) {
        if (m_hasSpare) {
            data[i] = float(m_spare);
            m_hasSpare = false;
            continue;
        }
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        const double angle = 2.0 * M_PI * uniform();
        data[i] = float(radius * std::cos(angle));
        m_spare = radius * std::sin(angle);
        m_hasSpare = true;
    }
    return out;
}

} // namespace ldm
