// SPDX-License-Identifier: GPL-3.0-or-later
// Low-resolution image → 4x image with a super-resolution model: the CompVis LDM SR model
// (the low-res image concatenated as it is) or Stability's SD x4 upscaler (the image
// noise-augmented at a chosen level, which the UNet also receives as its class label, plus a
// prompt with classifier-free guidance). The latent is as large as the low-res image; the UNet
// and the decoder run over overlapping tiles whose outputs are blended at every step, so there
// are no seams and memory is bounded by the tile size. On out-of-memory the tile is halved and
// the request restarts.
#include "pipeline/upscale_pipeline.h"

#include "pipeline/autocast_scope.h"
#include "pipeline/guided_denoiser.h"
#include "pipeline/image_convert.h"
#include "pipeline/prompt_encoding.h"
#include "pipeline/request_monitor.h"
#include "pipeline/tiling.h"
#include "sampling/k_samplers.h"

namespace ldm {
namespace {

constexpr int64_t MaxInputSide = 4096;
/// Smallest tile edge in input pixels (= latent pixels: the latent is as large as the input).
constexpr int64_t MinLatentTile = 16;
/// The x4 upscaler's script pads its input to a multiple of 64 pixels, at least 128 per side.
constexpr int64_t UpscalerPadMultiple = 64;
constexpr int64_t UpscalerMinSide = 128;

bool isOutOfMemory(const c10::Error& error)
{
    const std::string what = error.what_without_backtrace();
    return what.find("alloc") != std::string::npos ||
           what.find("out of memory") != std::string::npos;
}

/// The padded side: the UNet halves the latent levels-1 times, so it must be a multiple of
/// `align`; the x4 upscaler is padded as its reference script pads (edge replication to a
/// multiple of 64, at least 128), so an untiled run sees what the reference sees.
int64_t paddedSide(int64_t side, int64_t align, bool upscaler)
{
    if (!upscaler)
        return (side + align - 1) / align * align;
    const int64_t multiple = std::max(UpscalerPadMultiple, align) / align * align;
    return std::max((side + multiple - 1) / multiple * multiple,
                    (UpscalerMinSide + multiple - 1) / multiple * multiple);
}

/// The noise level an x4 upscaler request runs with: the recipe's, or the reference default.
int64_t noiseLevelOf(const Recipe& recipe)
{
    return recipe.noiseLevel >= 0 ? recipe.noiseLevel : LowScaleConfig::DefaultNoiseLevel;
}

/// `tile`: tile edge in input pixels, 0 = the whole (padded) image in one piece.
Result<GenerateResult> upscaleWithTile(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device, int64_t tile)
{
    const Recipe& recipe = request.recipe;
    const LatentDiffusion& diffusion = model.diffusion;
    const auto& lowScale = diffusion.lowScale();
    auto kind = parseSamplerKind(recipe.sampler);
    if (!kind)
        return kind.error();
    // The upscaler's model function takes whole timesteps; k-diffusion samplers step between
    // them, which would be silently truncated.
    if (isKDiffusionSampler(*kind))
        return makeError(ErrorCode::InvalidRequest,
                         std::string("the ") + samplerKindName(*kind) +
                             " sampler runs text-to-image only so far; choose ddim, plms, "
                             "ddpm or dpmpp2m to upscale");
    auto sampler = makeSampler(*kind, diffusion.schedule(), recipe.steps, recipe.eta);
    if (!sampler)
        return sampler.error();
    c10::InferenceMode guard;
    AutocastScope autocast(recipe.precision == "bf16", device);
    const int64_t align = int64_t(1) << (diffusion.config().unet->levels() - 1);
    const int64_t h = request.input.height;
    const int64_t w = request.input.width;
    const int64_t ph = paddedSide(h, align, lowScale.has_value());
    const int64_t pw = paddedSide(w, align, lowScale.has_value());
    torch::Tensor lowRes = imageToTensor(request.input);
    if (ph != h || pw != w)
        lowRes = torch::replication_pad2d(lowRes, {0, pw - w, 0, ph - h});
    lowRes = lowRes.to(device);
    const int64_t latentTile =
        tile > 0 ? std::max<int64_t>(align, tile / align * align) : std::max(ph, pw);
    const int64_t overlap = std::max<int64_t>(align, latentTile / 4);

    Conditions conditions;
    double guidance = 1.0; // the LDM SR model has no unconditional input
    std::vector<std::string> warnings;
    const int64_t noiseLevel = noiseLevelOf(recipe);
    SamplingPlan plan;
    torch::Tensor concat = lowRes;
    if (lowScale) {
        auto prompts = encodePrompts(model, recipe, device);
        if (!prompts)
            return prompts.error();
        conditions.context = prompts->cond;
        conditions.uncondContext = prompts->uncond;
        warnings = std::move(prompts->warnings);
        // Both halves of the guidance batch see the same augmented image and level, as the
        // reference's superresolution script builds them.
        conditions.classLabels = torch::full({1}, noiseLevel, torch::kLong).to(device);
        guidance = recipe.guidanceScale;
        // Drawn right after x_T from the request's generator, so a seed replays exactly.
        plan.start = [&](const torch::Tensor& xT, NoiseGenerator& noise) {
            concat = lowScale->apply(lowRes, noiseLevel, noise.normal(lowRes.sizes()).to(device));
            return xT;
        };
    }

    const int64_t channels = diffusion.firstStage()->latentChannels();
    const double scale = diffusion.scaleFactor();
    const int64_t factor = diffusion.firstStage()->downFactor();
    auto decode = [&](const torch::Tensor& z) {
        const torch::Tensor image =
            runTiled(z / scale, latentTile, overlap, factor,
                     [&](const torch::Tensor& part, int64_t, int64_t) {
                         // bf16 applies to the UNet; the decoder runs in float32 here.
                         const AutocastPause fp32;
                         return diffusion.firstStage()->decodeLatent(part.to(torch::kFloat32));
                     });
        return tensorToImage(image.slice(2, 0, h * factor).slice(3, 0, w * factor));
    };
    const EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        return runTiled(
            x, latentTile, overlap, 1, [&](const torch::Tensor& part, int64_t y, int64_t x0) {
                const torch::Tensor window =
                    concat.slice(2, y, y + part.size(2)).slice(3, x0, x0 + part.size(3));
                return guidedEps(diffusion, conditions, guidance, part, t, window, {});
            });
    };
    auto sampled = sampleAndDecode(model, request, **sampler, {1, channels, ph, pw}, eps, device,
                                   decode, plan);
    if (!sampled)
        return sampled.error();
    GenerateResult result;
    result.image = std::move(sampled->image);
    result.recipe = recipe;
    result.recipe.width = int(w * factor);
    result.recipe.height = int(h * factor);
    result.recipe.tileSize = tile > 0 ? int(latentTile) : 0; // input pixels, 0 = untiled
    result.recipe.guidanceScale = guidance;
    result.recipe.noiseLevel = lowScale ? int(noiseLevel) : -1;
    result.recipe.inputImageHash =
        sha256Hex(request.input.pixels.data(), request.input.pixels.size());
    result.seconds = sampled->seconds;
    result.warnings = std::move(warnings);
    return result;
}

Result<void> validateUpscale(const LoadedModel& model, const GenerateRequest& request)
{
    const RgbImage& input = request.input;
    if (input.empty() || input.pixels.size() != size_t(input.width) * size_t(input.height) * 3)
        return makeError(ErrorCode::InvalidRequest, "no input image to upscale");
    if (input.width > MaxInputSide || input.height > MaxInputSide)
        return makeError(ErrorCode::InvalidRequest, "the input is " + std::to_string(input.width) +
                                                        "x" + std::to_string(input.height) +
                                                        "; the largest accepted side is " +
                                                        std::to_string(MaxInputSide) + " pixels");
    const Recipe& recipe = request.recipe;
    if (recipe.steps < 1 || recipe.steps > 1000)
        return makeError(ErrorCode::InvalidRequest, "steps must be between 1 and 1000");
    if (const std::string refused = unsupportedPrecision(recipe.precision); !refused.empty())
        return makeError(ErrorCode::InvalidRequest, refused);
    const auto& lowScale = model.diffusion.lowScale();
    if (!lowScale) {
        if (recipe.noiseLevel >= 0)
            return makeError(ErrorCode::InvalidRequest,
                             "model '" + model.info.name +
                                 "' takes no noise level (only the SD x4 upscaler does)");
        return {};
    }
    if (recipe.noiseLevel != -1)
        if (auto ok = lowScale->checkNoiseLevel(recipe.noiseLevel); !ok)
            return ok;
    if (!(recipe.guidanceScale >= 0.0 && recipe.guidanceScale <= 50.0))
        return makeError(ErrorCode::InvalidRequest, "guidance scale must be between 0 and 50");
    return {};
}

} // namespace

Result<GenerateResult> generateUpscale(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device)
{
    if (auto ok = validateUpscale(model, request); !ok)
        return ok.error();
    // Recipe::tileSize is in input pixels, which are latent pixels here; 0 runs untiled.
    int64_t tile = request.recipe.tileSize > 0
                       ? std::max<int64_t>(request.recipe.tileSize, MinLatentTile)
                       : 0;
    for (;;) {
        try {
            return upscaleWithTile(model, request, device, tile);
        } catch (const std::bad_alloc&) {
        } catch (const c10::Error& error) {
            if (!isOutOfMemory(error))
                throw;
        }
        if (tile == 0) // the whole image did not fit: tiles of half its longer side
            tile = std::max(request.input.width, request.input.height);
        if (tile / 2 < MinLatentTile)
            return makeError(ErrorCode::OutOfMemory,
                             "out of memory even with the smallest tile size");
        tile /= 2; // retry with a smaller tile; nothing was kept from the failed attempt
    }
}

} // namespace ldm
