// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/engine.h"

#include <torch/torch.h>

namespace ldm {

/// A cheap latent → RGB preview: one affine map per latent pixel, fitted by least squares
/// from the model's own autoencoder (latents of a few images against the same images
/// shrunk to latent size). Costs microseconds where the decoder costs a second. Our trainers
/// fit it on their own data and store it in the exported file; other files get one fitted
/// at load on colour fields, so loading a model needs no training-data generator.
class LatentProjection {
public:
    /// Fits on `images` ([N, 3, H, W] in [−1, 1]) with the first stage; `scaleFactor` is the
    /// diffusion model's, so the projection reads the latents the sampler produces.
    static LatentProjection fit(const FirstStage& firstStage, double scaleFactor,
                                const torch::Tensor& images);
    /// Fits on fixed, smooth random colour fields (no training data needed): for files that
    /// carry no stored matrix. Side 16 latent pixels, on the first stage's device.
    static LatentProjection fitOnColourFields(const FirstStage& firstStage, double scaleFactor);
    /// From a stored [3, C + 1] matrix (weights, then bias column). Invalid (valid() false)
    /// when the matrix does not have that shape for `latentChannels`.
    static LatentProjection fromMatrix(const torch::Tensor& matrix, int64_t latentChannels);

    /// The tensor name under which our checkpoints store the matrix (float32 [3, C + 1]).
    static constexpr const char* TensorName = "latent_rgb_projection";

    bool valid() const { return m_matrix.defined(); }
    /// The [3, C + 1] matrix, for storing with the model.
    const torch::Tensor& matrix() const { return m_matrix; }
    /// Projects a scaled latent [1, C, h, w] to an RGB image of h × w pixels.
    RgbImage apply(const torch::Tensor& latent) const;

private:
    torch::Tensor m_matrix;
};

} // namespace ldm
