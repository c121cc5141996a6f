// SPDX-License-Identifier: GPL-3.0-or-later
// The attention kernels the UNet's attention layers share, kept in one place so a faster
// (blocked, bf16) implementation can replace them without touching the modules.
#pragma once

#include <torch/torch.h>

#include <cstdint>

namespace ldm::unet {

/// softmax(q kᵀ * scale) v for q [G, N, d], k [G, M, d], v [G, M, dv] -> [G, N, dv].
/// The softmax accumulates in float32 for bf16/fp16 inputs. Large score matrices are processed in
/// cache-sized blocks of heads and query rows (blocks are independent; q is scaled before
/// the product, so results match the unblocked formula up to rounding).
torch::Tensor scaledDotProductAttention(const torch::Tensor& q, const torch::Tensor& k,
                                        const torch::Tensor& v, double scale);

/// QKVAttentionLegacy: qkv [B, heads * 3 * ch, T] laid out per head as [q | k | v] (channel j
/// belongs to head j / 3ch); q and k are each scaled by ch^(-1/4). Returns [B, heads * ch, T].
torch::Tensor qkvAttentionLegacy(const torch::Tensor& qkv, int64_t heads);

/// QKVAttention (use_new_attention_order): qkv [B, 3 * heads * ch, T] laid out as
/// [q (all heads) | k | v]. Returns [B, heads * ch, T].
torch::Tensor qkvAttention(const torch::Tensor& qkv, int64_t heads);

} // namespace ldm::unet
