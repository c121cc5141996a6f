// SPDX-License-Identifier: GPL-3.0-or-later
// The latent → RGB preview projection without training data: fitted at load on colour fields
// through the model's own autoencoder, it must show the shipped model's landscapes about as
// well as a projection fitted on landscapes (what loading did before, by rendering six of them
// at every load); a stored matrix of the wrong shape is not used.
#include "checkpoint/latent_diffusion.h"
#include "data/landscape_generator.h"
#include "pipeline/image_convert.h"
#include "pipeline/latent_projection.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace ldm;

namespace {

torch::Tensor landscapes(uint64_t firstSeed, int count, int side)
{
    data::LandscapeGenerator generator{data::LandscapeOptions{}};
    std::vector<torch::Tensor> images;
    for (uint64_t seed = firstSeed; seed < firstSeed + uint64_t(count); ++seed) {
        const auto sample = generator.generate(seed, side, side);
        RgbImage rgb;
        rgb.width = sample.image.cols;
        rgb.height = sample.image.rows;
        rgb.pixels.assign(sample.image.data, sample.image.data + sample.image.total() * 3);
        images.push_back(imageToTensor(rgb));
    }
    return torch::cat(images);
}

/// PSNR (dB, peak 255) of the projection's pictures of `images`' latents against the images
/// shrunk to latent size.
double previewPsnr(const LatentProjection& projection, const LatentDiffusion& model,
                   const torch::Tensor& images)
{
    c10::InferenceMode guard;
    const torch::Tensor latents = model.firstStage()->encodeLatent(images) * model.scaleFactor();
    const torch::Tensor targets =
        torch::adaptive_avg_pool2d(images, {latents.size(2), latents.size(3)});
    double squared = 0;
    int64_t values = 0;
    for (int64_t i = 0; i < images.size(0); ++i) {
        const RgbImage preview = projection.apply(latents.slice(0, i, i + 1));
        const RgbImage target = tensorToImage(targets.slice(0, i, i + 1));
        for (size_t k = 0; k < preview.pixels.size(); ++k) {
            const double d = double(preview.pixels[k]) - double(target.pixels[k]);
            squared += d * d;
        }
        values += int64_t(preview.pixels.size());
    }
    return 10.0 * std::log10(255.0 * 255.0 / (squared / double(values)));
}

} // namespace

TEST(LatentProjection, ColourFieldsShowTheShippedLandscapesAsWellAsLandscapesDo)
{
    const auto path = ldm::testing::sourceDir() / "resources/models/landscape/model.safetensors";
    if (ldm::testing::sourceDir().empty())
        GTEST_SKIP() << "LDM_SOURCE_DIR is not set (ctest sets it)";
    auto model = LatentDiffusion::load(path.string());
    ASSERT_TRUE(model.ok()) << model.error().message;
    const FirstStage& firstStage = *model->firstStage();
    const int side = int(16 * firstStage.downFactor());

    const LatentProjection fromColours =
        LatentProjection::fitOnColourFields(firstStage, model->scaleFactor());
    ASSERT_TRUE(fromColours.valid());
    // Deterministic: the same fit at every load.
    EXPECT_TRUE(torch::equal(
        fromColours.matrix(),
        LatentProjection::fitOnColourFields(firstStage, model->scaleFactor()).matrix()));
    const LatentProjection fromLandscapes =
        LatentProjection::fit(firstStage, model->scaleFactor(), landscapes(1, 6, side));

    // Scored on landscapes neither fit saw.
    const torch::Tensor heldOut = landscapes(101, 6, side);
    const double coloursPsnr = previewPsnr(fromColours, *model, heldOut);
    const double landscapesPsnr = previewPsnr(fromLandscapes, *model, heldOut);
    // A projection that ignores the latent (mid-grey everywhere) is the floor.
    const double greyPsnr =
        previewPsnr(LatentProjection::fromMatrix(torch::zeros({3, firstStage.latentChannels() + 1}),
                                                 firstStage.latentChannels()),
                    *model, heldOut);
    std::printf("preview PSNR on held-out landscapes: colour-field fit %.2f dB, landscape fit "
                "%.2f dB, grey %.2f dB\n",
                coloursPsnr, landscapesPsnr, greyPsnr);
    EXPECT_GT(coloursPsnr, greyPsnr + 6.0);
    EXPECT_GT(coloursPsnr, landscapesPsnr - 1.5);
}

TEST(LatentProjection, AStoredMatrixMustFitTheLatentChannels)
{
    const torch::Tensor matrix = torch::rand({3, 5});
    EXPECT_TRUE(LatentProjection::fromMatrix(matrix, 4).valid());
    EXPECT_FALSE(LatentProjection::fromMatrix(matrix, 3).valid());
    EXPECT_FALSE(LatentProjection::fromMatrix(torch::rand({4, 5}), 4).valid());
    EXPECT_FALSE(LatentProjection::fromMatrix(torch::Tensor(), 4).valid());
}
