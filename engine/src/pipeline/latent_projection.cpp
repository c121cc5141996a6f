// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/latent_projection.h"

#include "pipeline/image_convert.h"

namespace ldm {

LatentProjection LatentProjection::fit(const FirstStage& firstStage, double scaleFactor,
                                       const torch::Tensor& images)
{
    c10::InferenceMode guard;
    const torch::Tensor latent = firstStage.encodeLatent(images) * scaleFactor; // mean (no noise)
    const torch::Tensor target = torch::adaptive_avg_pool2d(images, {latent.size(2), latent.size(3)});
    const int64_t channels = latent.size(1);
    // Rows are latent pixels: [z, 1] · M^T = rgb.
    const torch::Tensor z = latent.permute({0, 2, 3, 1}).reshape({-1, channels}).to(torch::kFloat64);
    const torch::Tensor design = torch::cat({z, torch::ones({z.size(0), 1}, torch::kFloat64)}, 1);
    const torch::Tensor rgb = target.permute({0, 2, 3, 1}).reshape({-1, 3}).to(torch::kFloat64);
    // Normal equations with a little ridge, so a degenerate latent channel cannot blow up.
    const torch::Tensor gram = design.t().mm(design) +
                               1e-6 * torch::eye(channels + 1, torch::kFloat64) * design.size(0);
    const torch::Tensor solution = torch::linalg_solve(gram, design.t().mm(rgb)); // [C+1, 3]
    LatentProjection projection;
    projection.m_matrix = solution.t().to(torch::kFloat32).contiguous();
    return projection;
}

LatentProjection LatentProjection::fromMatrix(const torch::Tensor& matrix)
{
    LatentProjection projection;
    if (matrix.defined() && matrix.dim() == 2 && matrix.size(0) == 3)
        projection.m_matrix = matrix.to(torch::kCPU, torch::kFloat32).contiguous();
    return projection;
}

RgbImage LatentProjection::apply(const torch::Tensor& latent) const
{
    const torch::Tensor z = latent.detach().to(torch::kCPU, torch::kFloat32)[0];
    const int64_t channels = z.size(0);
    const torch::Tensor weight = m_matrix.slice(1, 0, channels);
    const torch::Tensor bias = m_matrix.select(1, channels).view({3, 1, 1});
    const torch::Tensor rgb = torch::einsum("oc,chw->ohw", {weight, z}) + bias;
    return tensorToImage(rgb);
}

} // namespace ldm
