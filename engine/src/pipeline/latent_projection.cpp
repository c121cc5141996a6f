// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/latent_projection.h"

#include "pipeline/image_convert.h"

#include <algorithm>
#include <random>
#include <vector>

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

LatentProjection LatentProjection::fitOnColourFields(const FirstStage& firstStage,
                                                     double scaleFactor)
{
    // A 4 × 4 grid of random colours per image, bilinearly blended to full size: flat areas
    // and soft edges in every hue and brightness, the local colours a latent pixel stands for.
    // The colours come from a fixed-seed mt19937 (same numbers everywhere) and are pulled
    // towards grey so that the muted colours of real pictures dominate, as they do in photos.
    if (firstStage.imageChannels() != 3)
        return {}; // previews then use the decoder
    constexpr int64_t Images = 8, Grid = 4, LatentSide = 16;
    std::mt19937 random(20240607u);
    auto unit = [&random] { return double(random() >> 8) / double(1u << 24); }; // [0, 1)
    std::vector<float> colours;
    colours.reserve(size_t(Images * 3 * Grid * Grid));
    for (int64_t image = 0; image < Images; ++image) {
        std::vector<float> rgb(size_t(3 * Grid * Grid));
        for (int64_t cell = 0; cell < Grid * Grid; ++cell) {
            const double grey = 2.0 * unit() - 1.0;
            const double saturation = unit();
            for (int64_t channel = 0; channel < 3; ++channel)
                rgb[size_t(channel * Grid * Grid + cell)] =
                    float(std::clamp(grey + saturation * (2.0 * unit() - 1.0), -1.0, 1.0));
        }
        colours.insert(colours.end(), rgb.begin(), rgb.end());
    }
    const torch::Tensor grid =
        torch::from_blob(colours.data(), {Images, 3, Grid, Grid}, torch::kFloat32).clone();
    const int64_t side = LatentSide * firstStage.downFactor();
    const torch::Tensor images =
        torch::nn::functional::interpolate(grid, torch::nn::functional::InterpolateFuncOptions()
                                                     .size(std::vector<int64_t>{side, side})
                                                     .mode(torch::kBilinear)
                                                     .align_corners(true));
    const auto parameters = firstStage.module().parameters();
    const torch::Device device = parameters.empty() ? torch::kCPU : parameters[0].device();
    return fit(firstStage, scaleFactor, images.to(device));
}

LatentProjection LatentProjection::fromMatrix(const torch::Tensor& matrix, int64_t latentChannels)
{
    LatentProjection projection;
    if (matrix.defined() && matrix.dim() == 2 && matrix.size(0) == 3 &&
        matrix.size(1) == latentChannels + 1)
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
