// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/first_stage_blocks.h"

#include <algorithm>
#include <cmath>

namespace ldm {

namespace {

namespace F = torch::nn::functional;

constexpr int64_t NormGroups = 32;
constexpr double NormEps = 1e-6;
// Upper bound on B·Nq·Nk score elements held at once (128 MiB in float32). SD's 64×64 decoder
// level (4096 tokens) fits unchunked; larger tiles are split over queries.
constexpr int64_t MaxScoreElements = int64_t{1} << 25;

torch::nn::Conv2d conv3x3(int64_t in, int64_t out)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(1).padding(1));
}

torch::nn::Conv2d conv1x1(int64_t in, int64_t out)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1));
}

} // namespace

torch::nn::GroupNorm makeFirstStageNorm(int64_t channels)
{
    return torch::nn::GroupNorm(
        torch::nn::GroupNormOptions(NormGroups, channels).eps(NormEps).affine(true));
}

ResnetBlockImpl::ResnetBlockImpl(int64_t inChannels, int64_t outChannels)
{
    norm1 = register_module("norm1", makeFirstStageNorm(inChannels));
    conv1 = register_module("conv1", conv3x3(inChannels, outChannels));
    norm2 = register_module("norm2", makeFirstStageNorm(outChannels));
    conv2 = register_module("conv2", conv3x3(outChannels, outChannels));
    if (inChannels != outChannels)
        ninShortcut = register_module("nin_shortcut", conv1x1(inChannels, outChannels));
}

torch::Tensor ResnetBlockImpl::forward(const torch::Tensor& x)
{
    auto h = conv1(torch::silu(norm1(x)));
    h = conv2(torch::silu(norm2(h)));
    const auto shortcut = ninShortcut ? ninShortcut(x) : x;
    return shortcut + h;
}

AttnBlockImpl::AttnBlockImpl(int64_t channels)
{
    norm = register_module("norm", makeFirstStageNorm(channels));
    q = register_module("q", conv1x1(channels, channels));
    k = register_module("k", conv1x1(channels, channels));
    v = register_module("v", conv1x1(channels, channels));
    projOut = register_module("proj_out", conv1x1(channels, channels));
}

torch::Tensor AttnBlockImpl::forward(const torch::Tensor& x)
{
    const auto h = norm(x);
    const int64_t b = x.size(0), c = x.size(1), height = x.size(2), width = x.size(3);
    const int64_t n = height * width;
    // Same layout and operation order as the reference: scores = bmm(qᵀ, k) · C^(−1/2),
    // softmax over keys, out = bmm(v, scoresᵀ).
    const auto queries = q(h).reshape({b, c, n}).permute({0, 2, 1}); // [B, Nq, C]
    const auto keys = k(h).reshape({b, c, n});                       // [B, C, Nk]
    const auto values = v(h).reshape({b, c, n});                     // [B, C, Nk]
    const double scale = std::pow(static_cast<double>(c), -0.5);

    const auto attend = [&](const torch::Tensor& queryRows) {
        auto w = torch::bmm(queryRows, keys) * scale;
        w = torch::softmax(w, 2);
        return torch::bmm(values, w.permute({0, 2, 1})); // [B, C, rows]
    };

    torch::Tensor out;
    const int64_t rowsPerChunk =
        std::max<int64_t>(1, MaxScoreElements / std::max<int64_t>(1, b * n));
    if (rowsPerChunk >= n) {
        out = attend(queries);
    } else {
        std::vector<torch::Tensor> parts;
        for (int64_t start = 0; start < n; start += rowsPerChunk)
            parts.push_back(attend(queries.slice(1, start, std::min(n, start + rowsPerChunk))));
        out = torch::cat(parts, 2);
    }
    return x + projOut(out.reshape({b, c, height, width}));
}

FirstStageDownsampleImpl::FirstStageDownsampleImpl(int64_t channels)
{
    conv = register_module(
        "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 3).stride(2)));
}

torch::Tensor FirstStageDownsampleImpl::forward(const torch::Tensor& x)
{
    // Pad order is (left, right, top, bottom): only right and bottom get a zero column/row.
    return conv(torch::constant_pad_nd(x, {0, 1, 0, 1}, 0));
}

FirstStageUpsampleImpl::FirstStageUpsampleImpl(int64_t channels)
{
    conv = register_module("conv", conv3x3(channels, channels));
}

torch::Tensor FirstStageUpsampleImpl::forward(const torch::Tensor& x)
{
    const auto up = F::interpolate(x, F::InterpolateFuncOptions()
                                          .scale_factor(std::vector<double>{2.0, 2.0})
                                          .mode(torch::kNearest));
    return conv(up);
}

} // namespace ldm
