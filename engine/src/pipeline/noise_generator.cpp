// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/noise_generator.h"

#include "ldm/recipe.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

namespace ldm {

const char* noiseKindName(NoiseKind kind)
{
    switch (kind) {
    case NoiseKind::Ours: return "ours";
    case NoiseKind::TorchCpu: return "cpu";
    case NoiseKind::Philox: return "nv";
    }
    return "?";
}

std::optional<NoiseKind> parseNoiseKind(const std::string& name)
{
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "ours" || lower.empty())
        return NoiseKind::Ours;
    if (lower == "cpu")
        return NoiseKind::TorchCpu;
    // A1111's "GPU" source is torch.randn on the GPU, which its "NV" source reproduces.
    if (lower == "nv" || lower == "gpu")
        return NoiseKind::Philox;
    return std::nullopt;
}

NoiseGenerator::NoiseGenerator(uint64_t seed, NoiseKind kind, uint64_t etaNoiseSeedDelta)
    : m_seed(seed)
    , m_state(seed ^ 0x6a09e667f3bcc909ull)
    , m_kind(kind)
    , m_etaNoiseSeedDelta(etaNoiseSeedDelta)
{
    if (kind == NoiseKind::TorchCpu)
        m_torchCpu.emplace(seed);
    else if (kind == NoiseKind::Philox)
        m_philox.emplace(seed);
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

torch::Tensor slerpNoise(double val, const torch::Tensor& low, const torch::Tensor& high)
{
    std::vector<torch::Tensor> images;
    for (int64_t n = 0; n < low.size(0); ++n) {
        const torch::Tensor a = low[n];
        const torch::Tensor b = high[n];
        const torch::Tensor aNorm = a / torch::norm(a, 2, {1}, true);
        const torch::Tensor bNorm = b / torch::norm(b, 2, {1}, true);
        const torch::Tensor dot = (aNorm * bNorm).sum(1);
        if (dot.mean().item<float>() > 0.9995f) {
            images.push_back(a * val + b * (1 - val));
            continue;
        }
        const torch::Tensor omega = torch::acos(dot);
        const torch::Tensor so = torch::sin(omega);
        images.push_back((torch::sin((1.0 - val) * omega) / so).unsqueeze(1) * a +
                         (torch::sin(val * omega) / so).unsqueeze(1) * b);
    }
    return torch::stack(images);
}

torch::Tensor NoiseGenerator::normal(at::IntArrayRef shape)
{
    torch::Tensor out = torch::empty(shape, torch::kFloat32);
    float* data = out.data_ptr<float>();
    const int64_t count = out.numel();
    if (m_kind != NoiseKind::Ours) {
        const std::vector<float> values =
            m_torchCpu ? m_torchCpu->next(count) : m_philox->next(count);
        std::memcpy(data, values.data(), values.size() * sizeof(float));
        // A1111's ImageRNG: the first draw uses the seed, the later ones seed + delta.
        if (m_first && m_etaNoiseSeedDelta != 0) {
            if (m_torchCpu)
                m_torchCpu.emplace(m_seed + m_etaNoiseSeedDelta);
            else
                m_philox.emplace(m_seed + m_etaNoiseSeedDelta);
        }
        m_first = false;
        return out;
    }
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

BrownianSource brownianSourceFor(const Recipe& recipe)
{
    const NoiseKind kind = parseNoiseKind(recipe.rng).value_or(NoiseKind::Ours);
    return {recipe.seed, [kind](uint64_t seed, at::IntArrayRef shape) {
                return NoiseGenerator(seed, kind).normal(shape);
            }};
}

} // namespace ldm
