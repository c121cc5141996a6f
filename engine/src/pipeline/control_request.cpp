// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/control_request.h"

#include "checkpoint/control_net_file.h"
#include "pipeline/image_convert.h"

#include <opencv2/imgproc.hpp>

#include <filesystem>

namespace ldm {
namespace {

/// Largest ControlNet strength accepted (A1111's "Control Weight" slider ends at 2).
constexpr double MaxControlStrength = 2.0;

/// The hint as float [1, 3, height, width] in [0, 1], resized by nearest neighbour so the
/// flat colours of a segmentation map stay exact class colours (as lllyasviel's scripts do).
torch::Tensor hintTensor(const RgbImage& hint, int width, int height)
{
    cv::Mat source(hint.height, hint.width, CV_8UC3, const_cast<uint8_t*>(hint.pixels.data()));
    cv::Mat sized = source;
    if (hint.width != width || hint.height != height)
        cv::resize(source, sized, cv::Size(width, height), 0, 0, cv::INTER_NEAREST);
    const torch::Tensor bytes =
        torch::from_blob(sized.data, {height, width, 3}, torch::kUInt8).clone();
    return bytes.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32) / 255.0;
}

} // namespace

Result<void> loadControlNetFor(LoadedModel& model, const std::string& path, torch::Device device)
{
    if (model.controlNet && model.controlNet->path == path)
        return {};
    const auto& unet = model.diffusion.config().unet;
    if (!unet)
        return makeError(ErrorCode::InvalidRequest, "the loaded model has no UNet to control");
    // input_hint_block brings the map down by exactly 8, as SD's autoencoder does the image.
    if (model.info.latentFactor != ControlNetImpl::HintFactor)
        return makeError(ErrorCode::WeightsMismatch,
                         path + ": a ControlNet brings its map down 8x, but " + model.info.name +
                             "'s latents are 1/" + std::to_string(model.info.latentFactor) +
                             " of the image size: it is not a Stable Diffusion model");
    try {
        auto net = loadControlNet(path, *unet, model.info.family);
        if (!net)
            return net.error();
        (*net)->to(device);
        model.controlNet = LoadedControlNet{path, std::filesystem::path(path).filename().string(),
                                            sha256OfFile(path), *net};
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "not enough memory to load " + path);
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, "loading " + path + ": " + error.what());
    }
    return {};
}

Result<ControlInput> controlInputFor(const LoadedModel& model, const GenerateRequest& request,
                                     const Sampler& sampler, torch::Device device)
{
    const ControlRequest& given = request.control;
    if (given.path.empty())
        return ControlInput{};
    const Recipe& recipe = request.recipe;
    if (recipe.task != "txt2img" && recipe.task != "paint")
        return makeError(ErrorCode::InvalidRequest,
                         "a ControlNet steers txt2img and paint; task '" + recipe.task +
                             "' does not take one");
    if (!model.controlNet || model.controlNet->path != given.path)
        return makeError(ErrorCode::Internal, "the ControlNet " + given.path + " is not loaded");
    const ControlRecipe& settings = recipe.control;
    if (!(settings.strength >= 0.0 && settings.strength <= MaxControlStrength))
        return makeError(ErrorCode::InvalidRequest,
                         "the ControlNet strength must be between 0 and 2");
    if (!(settings.start >= 0.0 && settings.end <= 1.0 && settings.start <= settings.end))
        return makeError(ErrorCode::InvalidRequest,
                         "the ControlNet start and end must be fractions of the steps with "
                         "0 <= start <= end <= 1");
    const RgbImage& hint = given.hint;
    if (hint.empty() || hint.pixels.size() != size_t(hint.width) * size_t(hint.height) * 3)
        return makeError(ErrorCode::InvalidRequest,
                         "a ControlNet needs its control map (the hint image)");
    ControlInput control;
    control.net = model.controlNet->net;
    control.hint = hintTensor(hint, recipe.width, recipe.height).to(device);
    control.strength = settings.strength;
    control.start = settings.start;
    control.end = settings.end;
    control.guessMode = settings.guessMode;
    control.timesteps = sampler.timesteps();
    return control;
}

void recordControl(const LoadedModel& model, const GenerateRequest& request, Recipe& recipe)
{
    if (request.control.path.empty() || !model.controlNet) {
        recipe.control = ControlRecipe{};
        return;
    }
    recipe.control.model = model.controlNet->name;
    recipe.control.hash = model.controlNet->hash;
    recipe.control.hintHash =
        sha256Hex(request.control.hint.pixels.data(), request.control.hint.pixels.size());
}

} // namespace ldm
