// SPDX-License-Identifier: GPL-3.0-or-later
// Low-resolution image → 4x image with the super-resolution LDM. The latent is as large as the
// low-res image; the UNet and the decoder run over overlapping tiles whose outputs are blended
// at every step, so there are no seams and memory is bounded by the tile size. On
// out-of-memory the tile is halved and the request restarts.
#include "pipeline/engine_state.h"
#include "pipeline/guided_denoiser.h"
#include "pipeline/image_convert.h"
#include "pipeline/tiling.h"

namespace ldm {
namespace {

constexpr int64_t MaxInputSide = 4096;
constexpr int64_t DefaultLatentTile = 64;
constexpr int64_t MinLatentTile = 16;

bool isOutOfMemory(const c10::Error& error)
{
    const std::string what = error.what_without_backtrace();
    return what.find("alloc") != std::string::npos || what.find("out of memory") != std::string::npos;
}

Result<GenerateResult> upscaleWithTile(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device, int64_t tile)
{
    const Recipe& recipe = request.recipe;
    const LatentDiffusion& diffusion = model.diffusion;
    auto kind = parseSamplerKind(recipe.sampler);
    if (!kind)
        return kind.error();
    auto sampler = makeSampler(*kind, diffusion.schedule(), recipe.steps, recipe.eta);
    if (!sampler)
        return sampler.error();
    c10::InferenceMode guard;
    const int64_t align = int64_t(1) << (diffusion.config().unet->levels() - 1);
    const int64_t h = request.input.height;
    const int64_t w = request.input.width;
    // The UNet halves the latent levels-1 times: pad to a multiple by reflection, crop after.
    const int64_t ph = (h + align - 1) / align * align;
    const int64_t pw = (w + align - 1) / align * align;
    torch::Tensor lowRes = imageToTensor(request.input);
    if (ph != h || pw != w)
        lowRes = torch::replication_pad2d(lowRes, {0, pw - w, 0, ph - h});
    lowRes = lowRes.to(device);
    const int64_t overlap = std::max<int64_t>(align, tile / 4);
    const int64_t latentTile = std::max<int64_t>(align, tile / align * align);

    const int64_t channels = diffusion.firstStage()->latentChannels();
    const double scale = diffusion.scaleFactor();
    const int64_t factor = diffusion.firstStage()->downFactor();
    auto decode = [&](const torch::Tensor& z) {
        const torch::Tensor image = runTiled(z / scale, latentTile, overlap, factor,
            [&](const torch::Tensor& part, int64_t, int64_t) {
                return diffusion.firstStage()->decodeLatent(part.to(torch::kFloat32));
            });
        return tensorToImage(image.slice(2, 0, h * factor).slice(3, 0, w * factor));
    };
    Conditions conditions;
    const EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        return runTiled(x, latentTile, overlap, 1, [&](const torch::Tensor& part, int64_t y, int64_t x0) {
            const torch::Tensor lr = lowRes.slice(2, y, y + part.size(2)).slice(3, x0, x0 + part.size(3));
            return guidedEps(diffusion, conditions, 1.0, part, t, lr, {});
        });
    };
    auto sampled = sampleAndDecode(model, request, **sampler, {1, channels, ph, pw}, eps, device,
                                   decode);
    if (!sampled)
        return sampled.error();
    GenerateResult result;
    result.image = std::move(sampled->image);
    result.recipe = recipe;
    result.recipe.width = int(w * factor);
    result.recipe.height = int(h * factor);
    result.recipe.tileSize = int(latentTile * factor);
    result.recipe.inputImageHash = sha256Hex(request.input.pixels.data(), request.input.pixels.size());
    result.seconds = sampled->seconds;
    return result;
}

} // namespace

Result<GenerateResult> generateUpscale(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device)
{
    const RgbImage& input = request.input;
    if (input.empty() || input.pixels.size() != size_t(input.width) * size_t(input.height) * 3)
        return makeError(ErrorCode::InvalidRequest, "no input image to upscale");
    if (input.width > MaxInputSide || input.height > MaxInputSide)
        return makeError(ErrorCode::InvalidRequest,
                         "the input is " + std::to_string(input.width) + "x" +
                             std::to_string(input.height) + "; the largest accepted side is " +
                             std::to_string(MaxInputSide) + " pixels");
    if (request.recipe.steps < 1 || request.recipe.steps > 1000)
        return makeError(ErrorCode::InvalidRequest, "steps must be between 1 and 1000");
    const int64_t factor = model.info.latentFactor;
    int64_t tile = request.recipe.tileSize > 0 ? request.recipe.tileSize / factor : DefaultLatentTile;
    tile = std::max(tile, MinLatentTile);
    for (;;) {
        try {
            return upscaleWithTile(model, request, device, tile);
        } catch (const std::bad_alloc&) {
        } catch (const c10::Error& error) {
            if (!isOutOfMemory(error))
                throw;
        }
        if (tile / 2 < MinLatentTile)
            return makeError(ErrorCode::OutOfMemory,
                             "out of memory even with the smallest tile size");
        tile /= 2; // retry with a smaller tile; nothing was kept from the failed attempt
    }
}

} // namespace ldm
