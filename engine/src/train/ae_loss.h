// SPDX-License-Identifier: GPL-3.0-or-later
// Losses of the autoencoder and the bf16 autocast switch the trainers share.
#pragma once

#include "first_stage/autoencoder_kl.h"
#include "train/ae_train_config.h"

#include <torch/torch.h>

namespace ldm::train {

/// The loss of one batch, parts kept for logging (all fp32 scalars).
struct AeLossParts
{
    torch::Tensor total; ///< what backward() runs on
    torch::Tensor l1;    ///< mean |x − x̂|
    torch::Tensor edge;  ///< mean |sobel(x) − sobel(x̂)|
    torch::Tensor kl;    ///< KL per sample (summed over the latent), mean over the batch
};

/// Reconstruction + edge + KL loss. `input` and `recon` are [B, 3, H, W] in [−1, 1]; recon may
/// be bf16 (it is computed in fp32).
AeLossParts aeLoss(const torch::Tensor& input, const torch::Tensor& recon,
                   const Posterior& posterior, const AeLossConfig& weights);

/// Sobel gradients (x and y stacked on the channel axis, scaled to pixel-difference units).
torch::Tensor sobelGradients(const torch::Tensor& images);

/// Turns CPU bf16 autocast on or off for this thread. GroupNorm and LayerNorm run in fp32 under
/// it: LibTorch 1.13 has no autocast rule for them and fails on bf16 input with fp32 weights.
void setBf16Autocast(bool enabled);

/// RAII form of setBf16Autocast (restores the previous state).
class Bf16AutocastGuard
{
public:
    explicit Bf16AutocastGuard(bool enabled);
    ~Bf16AutocastGuard();
    Bf16AutocastGuard(const Bf16AutocastGuard&) = delete;
    Bf16AutocastGuard& operator=(const Bf16AutocastGuard&) = delete;

private:
    bool m_previous;
    bool m_enabled;
};

} // namespace ldm::train
