// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/attention_ops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace ldm::unet {
namespace {

// Score elements per block (1 Mi = 4 MiB in float32). Blocks this small stay in cache and are
// recycled by malloc, whereas whole score tensors of tens of MiB are fresh mmaps that fault in
// page by page on every call: that made the 1024-token self-attention of a small UNet at 256²
// most of its step time (bench --profile: copy_/softmax/mul on [8, 1024, 1024]).
constexpr int64_t DefaultBlockScoreElements = int64_t{1} << 20;

// LDM_ATTENTION_BLOCK_ELEMENTS overrides the block size for benchmarks (0 = never block), so
// scripts/bench-speedups.sh can time the unblocked formula in the same build.
int64_t blockScoreElements()
{
    static const int64_t value = [] {
        const char* text = std::getenv("LDM_ATTENTION_BLOCK_ELEMENTS");
        if (!text || !*text)
            return DefaultBlockScoreElements;
        const long long parsed = std::atoll(text);
        return parsed <= 0 ? std::numeric_limits<int64_t>::max() : int64_t(parsed);
    }();
    return value;
}
// Fewer query rows than this per block would make the GEMMs inefficient; blocks may then
// exceed the block size for very long key sequences.
constexpr int64_t MinBlockRows = 64;

torch::Tensor attendBlock(const torch::Tensor& q, const torch::Tensor& kT, const torch::Tensor& v,
                          double scale)
{
    // Scaling q [G, N, d] rather than the scores [G, N, M] saves a pass over the largest tensor.
    const torch::Tensor scores = torch::bmm(scale != 1.0 ? q * scale : q, kT);
    // LibTorch's CPU softmax on bf16 accumulates in float32 and rounds once: bit-identical to
    // a float32 round trip (within 1e-6 for rows shorter than a vector), at 2-3x the speed and
    // without two copies of the scores. fp16 still goes through float32.
    const torch::Tensor weights =
        scores.scalar_type() == torch::kHalf
            ? torch::softmax(scores.to(torch::kFloat), -1).to(v.scalar_type())
            : torch::softmax(scores, -1);
    return torch::bmm(weights, v);
}

// Attention over channels-first q, k, v [G, ch, T] (the QKVAttention layout) -> [G, ch, T].
torch::Tensor attendChannelsFirst(const torch::Tensor& q, const torch::Tensor& k,
                                  const torch::Tensor& v, double scale)
{
    // weight[t, s] = sum_c q[c, t] k[c, s]; a[c, t] = sum_s weight[t, s] v[c, s].
    return scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), scale)
        .transpose(1, 2);
}

} // namespace

torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, double scale)
{
    TORCH_CHECK(q.dim() == 3 && k.dim() == 3 && v.dim() == 3, "attention: expected 3-D q, k, v");
    const torch::Tensor kT = k.transpose(1, 2);
    const int64_t groups = q.size(0);
    const int64_t queries = q.size(1);
    const int64_t keys = k.size(1);
    const int64_t blockElements = blockScoreElements();
    if (groups * queries * keys <= blockElements)
        return attendBlock(q, kT, v, scale);
    // Blocks of whole heads (groups) when a head's scores fit, else of query rows per head.
    const int64_t rows =
        std::min(queries, std::max(MinBlockRows, blockElements / std::max<int64_t>(1, keys)));
    const int64_t groupStep = std::max<int64_t>(1, blockElements / (rows * keys));
    std::vector<torch::Tensor> groupParts;
    for (int64_t g = 0; g < groups; g += groupStep) {
        const int64_t gn = std::min(groupStep, groups - g);
        const torch::Tensor qg = q.narrow(0, g, gn);
        const torch::Tensor kTg = kT.narrow(0, g, gn);
        const torch::Tensor vg = v.narrow(0, g, gn);
        std::vector<torch::Tensor> rowParts;
        for (int64_t start = 0; start < queries; start += rows)
            rowParts.push_back(
                attendBlock(qg.narrow(1, start, std::min(rows, queries - start)), kTg, vg, scale));
        groupParts.push_back(rowParts.size() == 1 ? rowParts[0] : torch::cat(rowParts, 1));
    }
    return groupParts.size() == 1 ? groupParts[0] : torch::cat(groupParts, 0);
}

torch::Tensor qkvAttentionLegacy(const torch::Tensor& qkv, int64_t heads)
{
    TORCH_CHECK(qkv.dim() == 3 && qkv.size(1) % (3 * heads) == 0, "QKVAttentionLegacy: width ",
                qkv.size(1), " does not split into 3 x ", heads, " heads");
    const int64_t batch = qkv.size(0);
    const int64_t length = qkv.size(2);
    const int64_t ch = qkv.size(1) / (3 * heads);
    const auto parts = qkv.reshape({batch * heads, 3 * ch, length}).split(ch, 1);
    // The reference scales q and k separately by ch^(-1/4) (more stable in fp16 than scaling
    // the product); keep that order.
    const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(ch)));
    const torch::Tensor a = attendChannelsFirst(parts[0] * scale, parts[1] * scale, parts[2], 1.0);
    return a.reshape({batch, heads * ch, length});
}

torch::Tensor qkvAttention(const torch::Tensor& qkv, int64_t heads)
{
    TORCH_CHECK(qkv.dim() == 3 && qkv.size(1) % (3 * heads) == 0, "QKVAttention: width ",
                qkv.size(1), " does not split into 3 x ", heads, " heads");
    const int64_t batch = qkv.size(0);
    const int64_t length = qkv.size(2);
    const int64_t ch = qkv.size(1) / (3 * heads);
    const auto parts = qkv.chunk(3, 1);
    const double scale = 1.0 / std::sqrt(std::sqrt(static_cast<double>(ch)));
    const auto perHead = [&](const torch::Tensor& t) {
        return t.reshape({batch * heads, ch, length});
    };
    const torch::Tensor a = attendChannelsFirst(perHead(parts[0] * scale),
                                                perHead(parts[1] * scale), perHead(parts[2]), 1.0);
    return a.reshape({batch, heads * ch, length});
}

} // namespace ldm::unet
