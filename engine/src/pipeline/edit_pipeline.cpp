// SPDX-License-Identifier: GPL-3.0-or-later
// Editing an existing image: img2img (SDEdit, as the reference scripts/img2img.py),
// inpainting and outpainting (inpainting on a grown canvas, outpaint_canvas.h). All encode the
// input with the first stage and hand the generic sampling loop a plan: where in the schedule
// to start and, for inpainting with an ordinary model, how to keep the known region on the
// noisy trajectory. Inpainting models (CompVis inpainting_big, SD inpainting files) take the
// masked image and the mask as a concat input instead (inpaint_concat.h).
#include "pipeline/edit_pipeline.h"

#include "pipeline/image_convert.h"
#include "pipeline/inpaint_concat.h"
#include "pipeline/outpaint_canvas.h"
#include "sampling/k_samplers.h"

#include <algorithm>
#include <cmath>

namespace ldm {
namespace {

constexpr int MaxSide = 4096;

/// 1 where the mask asks for new content (white), 0 where the input is kept: [1, 1, H, W].
torch::Tensor fillMask(const RgbImage& mask)
{
    const auto bytes = torch::from_blob(const_cast<uint8_t*>(mask.pixels.data()),
                                        {mask.height, mask.width, 3}, torch::kUInt8);
    return (bytes.to(torch::kFloat32).mean(2) > 127.0f)
        .to(torch::kFloat32)
        .reshape({1, 1, mask.height, mask.width});
}

/// The mask's grey level as a blend weight in [0, 1]: [1, 1, H, W].
torch::Tensor greyWeight(const RgbImage& mask)
{
    const auto bytes = torch::from_blob(const_cast<uint8_t*>(mask.pixels.data()),
                                        {mask.height, mask.width, 3}, torch::kUInt8);
    return (bytes.to(torch::kFloat32).mean(2) / 255.0f).reshape({1, 1, mask.height, mask.width});
}

/// How much of the new picture each pixel takes. A soft (feathered) mask is its own weight, as
/// a person who blurred its edge expects the seam to follow that ramp. A hard mask gets the
/// fill mask times its blur, so the seam fades inward over a few pixels. Either way a pixel
/// that is black in the mask gets weight exactly 0 and is copied byte for byte.
torch::Tensor pasteWeight(const RgbImage& mask, const torch::Tensor& fill, int radius)
{
    const torch::Tensor grey = greyWeight(mask);
    // Grey levels other than (nearly) black and white mean the mask was feathered.
    const bool soft = ((grey > 2.0f / 255.0f) & (grey < 253.0f / 255.0f)).any().item<bool>();
    if (soft)
        return grey;
    if (radius <= 0)
        return fill;
    const int64_t k = 2 * radius + 1;
    const torch::Tensor kernel = torch::full({1, 1, k, k}, 1.0f / float(k * k));
    const torch::Tensor padded = torch::replication_pad2d(fill, {radius, radius, radius, radius});
    return fill * torch::conv2d(padded, kernel);
}

/// Blends the decoded image into the input by `weight` (pasteWeight).
RgbImage pasteWeighted(const RgbImage& input, const torch::Tensor& weight, RgbImage decoded)
{
    const auto w = weight.contiguous();
    const float* a = w.data_ptr<float>();
    const size_t pixels = size_t(input.width) * size_t(input.height);
    for (size_t i = 0; i < pixels; ++i) {
        for (size_t c = 0; c < 3; ++c) {
            uint8_t& out = decoded.pixels[3 * i + c];
            const uint8_t kept = input.pixels[3 * i + c];
            out = a[i] <= 0.0f
                      ? kept
                      : uint8_t(std::lround(float(kept) * (1.0f - a[i]) + float(out) * a[i]));
        }
    }
    return decoded;
}

} // namespace

bool isEditTask(const std::string& task)
{
    return task == "img2img" || task == "inpaint" || task == "outpaint";
}

bool isInpaintingModel(const LatentDiffusion& diffusion)
{
    return diffusion.config().inpaint != InpaintConcat::None && diffusion.firstStage();
}

Result<GenerateRequest> prepareEdit(const LoadedModel& model, const GenerateRequest& original)
{
    GenerateRequest request = original;
    if (original.recipe.task == "outpaint") {
        // The canvas the UNet can take: its levels halve the latent levels − 1 times and the
        // decoder must meet the skip tensors, so sides are multiples of factor · 2^(levels−1).
        const int levels = int(model.diffusion.config().unet->levels());
        const int multiple = model.info.latentFactor << std::max(0, levels - 1);
        auto canvas =
            makeOutpaintCanvas(original.input, original.recipe.growth, multiple, MaxSide);
        if (!canvas)
            return canvas.error();
        request.input = std::move(canvas->image);
        request.mask = std::move(canvas->mask);
        request.recipe.growth = canvas->growth;
    }
    if (auto ok = validateEdit(model, request); !ok)
        return ok.error();
    // An edit's output is as large as its (grown) input, whatever size the recipe held.
    request.recipe.width = request.input.width;
    request.recipe.height = request.input.height;
    return request;
}

Result<void> validateEdit(const LoadedModel& model, const GenerateRequest& request)
{
    const Recipe& r = request.recipe;
    const RgbImage& input = request.input;
    if (input.empty() || input.pixels.size() != size_t(input.width) * size_t(input.height) * 3)
        return makeError(ErrorCode::InvalidRequest, "no input image to edit");
    const int factor = model.info.latentFactor;
    const std::string size = std::to_string(input.width) + "x" + std::to_string(input.height);
    if (input.width > MaxSide || input.height > MaxSide)
        return makeError(ErrorCode::InvalidRequest, "the input is " + size +
                                                        "; the largest accepted side is " +
                                                        std::to_string(MaxSide) + " pixels");
    if (input.width % factor || input.height % factor)
        return makeError(ErrorCode::InvalidRequest,
                         "the input is " + size +
                             "; this model needs sides that are multiples of " +
                             std::to_string(factor) + " (crop or resize it)");
    if (!(r.strength >= 0.0 && r.strength <= 1.0))
        return makeError(ErrorCode::InvalidRequest, "strength must be between 0 and 1");
    if (r.task != "inpaint" && r.task != "outpaint")
        return {};
    const RgbImage& mask = request.mask;
    if (mask.empty())
        return makeError(ErrorCode::InvalidRequest,
                         "inpainting needs a mask (white = area to fill)");
    if (mask.width != input.width || mask.height != input.height ||
        mask.pixels.size() != size_t(mask.width) * size_t(mask.height) * 3)
        return makeError(ErrorCode::InvalidRequest, "the mask is " + std::to_string(mask.width) +
                                                        "x" + std::to_string(mask.height) +
                                                        " but the image is " + size +
                                                        "; they must be the same size");
    if (fillMask(mask).max().item<float>() <= 0.0f)
        return makeError(ErrorCode::InvalidRequest,
                         "the mask is all black: there is nothing to fill (paint the area to "
                         "change in white)");
    return {};
}

Result<EditPlan> planEdit(const LoadedModel& model, const GenerateRequest& request,
                          const Sampler& sampler, torch::Device device, torch::Tensor& concat)
{
    const Recipe& recipe = request.recipe;
    const LatentDiffusion& diffusion = model.diffusion;
    const FirstStage& stage = *diffusion.firstStage();
    const double scale = diffusion.scaleFactor();
    const torch::Tensor image = imageToTensor(request.input).to(device);
    const bool inpaint = recipe.task == "inpaint" || recipe.task == "outpaint";
    const bool inpaintingModel = isInpaintingModel(diffusion);
    const torch::Tensor fill = inpaint ? fillMask(request.mask) : torch::Tensor();
    const int64_t h = request.input.height / model.info.latentFactor;
    const int64_t w = request.input.width / model.info.latentFactor;
    EditPlan plan;
    if (inpaint) {
        const RgbImage input = request.input;
        const int radius = std::max(1, model.info.latentFactor / 2);
        const torch::Tensor weight = pasteWeight(request.mask, fill, radius);
        plan.finish = [input, weight](RgbImage decoded) {
            return pasteWeighted(input, weight, std::move(decoded));
        };
    }
    if (inpaintingModel) {
        if (!inpaint)
            return makeError(ErrorCode::InvalidRequest,
                             "an inpainting model only does the tasks inpaint and outpaint");
        // The posterior mean rather than the reference's sample: the KL posterior's spread is
        // far below what sampling changes, and the mean keeps the seed the only randomness.
        concat = makeInpaintInputs(diffusion, image, fill.to(device)).concat;
    }

    const std::vector<int64_t> timesteps = sampler.timesteps();
    const int total = int(timesteps.size());
    if (const auto* kSampler = dynamic_cast<const KDiffusionSampler*>(&sampler)) {
        if (inpaint) // refused before planning; the known region needs a per-step hook
            return makeError(ErrorCode::InvalidRequest,
                             "the k-diffusion samplers do not inpaint or outpaint yet");
        // A1111's img2img with a k-diffusion sampler (sample_img2img, img2img_fix_steps off):
        // t_enc = int(min(strength, 0.999) · steps), the run takes the schedule's last t_enc + 1
        // steps from the input's latent plus the x_T draw at that step's σ.
        const int encodeSteps = int(std::min(recipe.strength, 0.999) * total);
        plan.sampling.firstStep = total - encodeSteps - 1;
        const float sigma = kSampler->sigmas()[plan.sampling.firstStep].item<float>();
        const torch::Tensor z0 = stage.encodeLatent(image) * scale;
        plan.sampling.start = [z0, sigma](const torch::Tensor& xT, NoiseGenerator&) {
            return z0 + xT * sigma;
        };
        return plan;
    }
    // t_enc of the reference counts steps of the sampler's own schedule.
    const int encodeSteps = std::clamp(int(recipe.strength * total), 0, total);
    // An inpainting model at strength 1 starts from x_T alone, as the reference scripts do.
    if (inpaintingModel && encodeSteps == total)
        return plan;
    const torch::Tensor z0 = stage.encodeLatent(image) * scale;
    plan.sampling.firstStep = total - encodeSteps;
    const NoiseSchedule& schedule = diffusion.schedule();
    const auto noised = [z0, &schedule](int64_t t, const torch::Tensor& noise) {
        const double alphaBar = schedule.alphaBar(t);
        return z0 * std::sqrt(alphaBar) + noise * std::sqrt(1.0 - alphaBar);
    };
    if (encodeSteps == 0) {
        plan.sampling.start = [z0](const torch::Tensor&, NoiseGenerator&) { return z0; };
    } else if (encodeSteps < total) {
        // Noised with the x_T draw, to the level the first remaining step starts from.
        const int64_t t = timesteps[size_t(plan.sampling.firstStep)];
        plan.sampling.start = [noised, t](const torch::Tensor& xT, NoiseGenerator&) {
            return noised(t, xT);
        };
    } // strength 1: x_T itself, exactly txt2img's start
    // An inpainting model sees the known region through its concat input at every step.
    if (!inpaint || inpaintingModel)
        return plan;

    // The known region follows the original's forward process (ddim.py with mask and x0): at
    // each step it is replaced by the original latent noised to the next step's level, and by
    // the clean latent after the last step, so the model only invents the filled area.
    const torch::Tensor keep = 1.0f - torch::nn::functional::interpolate(
                                          fill, torch::nn::functional::InterpolateFuncOptions()
                                                    .size(std::vector<int64_t>{h, w})
                                                    .mode(torch::kNearest))
                                          .to(device);
    if (encodeSteps == total) {
        const int64_t t0 = timesteps.front();
        plan.sampling.start = [noised, keep, t0](const torch::Tensor& xT, NoiseGenerator&) {
            return keep * noised(t0, xT) + (1.0f - keep) * xT;
        };
    }
    plan.sampling.afterStep = [noised, keep, timesteps, z0, device](torch::Tensor& x, int index,
                                                                    NoiseGenerator& noise) {
        const size_t next = size_t(index) + 1;
        const torch::Tensor known =
            next < timesteps.size() ? noised(timesteps[next], noise.normal(x.sizes()).to(device))
                                    : z0;
        x.copy_(keep * known.to(x.scalar_type()) + (1.0f - keep) * x);
    };
    return plan;
}

} // namespace ldm
