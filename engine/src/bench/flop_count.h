// SPDX-License-Identifier: GPL-3.0-or-later
// Analytic FLOP counts of the UNet and the first-stage decoder, from their configs alone, so a
// benchmark can turn a measured time into GFLOP/s without running a profiler.
//
// Convention (the one of shared/reference/cpu-performance.md §5): a multiply-add is 2 FLOP.
//   convolution  2 · out_numel · (C_in / groups) · kh · kw      (Conv2d and the 1×1 Conv1d)
//   linear       2 · out_numel · in_features
//   attention    4 · (B · heads) · L_q · L_k · d_head           (QKᵀ and the weights × V)
// Not counted (memory-bound, ~0 FLOP but real time): biases, GroupNorm, LayerNorm, SiLU, GELU,
// softmax, scaling, residual adds, concat, up/down-sampling without a conv.
//
// The counts mirror the module structure in engine/src/unet and engine/src/first_stage layer by
// layer; tests/tst_flop_count.cpp checks them against hand counts, the profiler's per-op counts
// and the SD 1.x reference figure (803.3 GFLOP per image at 64×64 with a 77×768 context).
#pragma once

#include "first_stage/first_stage_config.h"
#include "unet/unet_config.h"

#include <cstdint>

namespace ldm {

/// FLOPs split by the kind of kernel that runs them (they reach very different speeds).
struct FlopBreakdown
{
    int64_t conv = 0;      ///< Conv2d / 1×1 Conv1d
    int64_t linear = 0;    ///< Linear layers (time embedding, projections, feed-forward)
    int64_t attention = 0; ///< the two attention matmuls, QKᵀ and weights × V

    /// conv + linear + attention.
    int64_t total() const { return conv + linear + attention; }
    FlopBreakdown& operator+=(const FlopBreakdown& other);
};

/// FLOPs of one UNet forward for `batch` latents of h×w (latent pixels) and a cross-attention
/// context of `contextLen` tokens (ignored by models without a spatial transformer). The
/// config must pass UNetConfig::validate(); h and w must be multiples of 2^(levels − 1).
/// Returns a zero breakdown when the config is invalid.
FlopBreakdown unetFlopBreakdown(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                                int64_t contextLen);

/// unetFlopBreakdown(...).total(). One classifier-free-guidance step is batch 2.
int64_t unetFlops(const UNetConfig& config, int64_t batch, int64_t h, int64_t w,
                  int64_t contextLen);

/// FLOPs of one Decoder forward (a single image) from a latent of h×w: conv_in, mid block,
/// the up levels and conv_out. post_quant_conv (embed_dim → z_channels, 1×1) belongs to the
/// autoencoder, not the Decoder, and is left out: it is < 0.01 % of any real decoder.
FlopBreakdown decoderFlopBreakdown(const DDConfig& config, int64_t h, int64_t w);

/// decoderFlopBreakdown(...).total().
int64_t decoderFlops(const DDConfig& config, int64_t h, int64_t w);

} // namespace ldm
