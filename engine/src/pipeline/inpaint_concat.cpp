// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/inpaint_concat.h"

namespace ldm {

InpaintInputs makeInpaintInputs(const LatentDiffusion& model, const torch::Tensor& image,
                                const torch::Tensor& fill, const torch::Tensor& encodeNoise)
{
    const InpaintConcat layout = model.config().inpaint;
    TORCH_CHECK(layout != InpaintConcat::None && model.firstStage(),
                "not an inpainting model with a first stage");
    const FirstStage& stage = *model.firstStage();
    const int64_t factor = stage.downFactor();
    const torch::Tensor mask = fill.to(image.device(), image.scalar_type());
    InpaintInputs out;
    // F.interpolate(mask, size=latent) in both references: nearest, its default mode.
    out.latentMask = torch::nn::functional::interpolate(
        mask, torch::nn::functional::InterpolateFuncOptions()
                  .size(std::vector<int64_t>{image.size(2) / factor, image.size(3) / factor})
                  .mode(torch::kNearest));
    if (layout == InpaintConcat::LatentThenMask) {
        // scripts/inpaint.py: masked_image = (1 − mask)·image with the image in [0, 1], then
        // to [−1, 1], so the fill area is black; encoded before quantisation, unscaled.
        out.maskedImage = (1.0f - mask) * (image + 1.0f) - 1.0f;
        out.maskedLatent = stage.encodeLatent(out.maskedImage);
        out.concat = torch::cat({out.maskedLatent, out.latentMask * 2.0f - 1.0f}, 1);
        return out;
    }
    // make_batch_sd: masked_image = image·(mask < 0.5), so the fill area is 0 (mid grey);
    // get_first_stage_encoding scales the posterior sample by scale_factor.
    out.maskedImage = image * (mask < 0.5f).to(image.scalar_type());
    out.maskedLatent = stage.encodeLatent(out.maskedImage, encodeNoise) * model.scaleFactor();
    out.concat = torch::cat({out.latentMask, out.maskedLatent}, 1);
    return out;
}

} // namespace ldm
