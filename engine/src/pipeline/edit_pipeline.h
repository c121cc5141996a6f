// SPDX-License-Identifier: GPL-3.0-or-later
// The img2img / inpaint / outpaint part of a run (edit_pipeline.cpp): how sampling starts and
// steps, and how the decoded image is finished (the inpainting paste).
#pragma once

#include "pipeline/engine_state.h"
#include "pipeline/request_monitor.h"
#include "sampling/sampler.h"

#include <torch/torch.h>

#include <functional>
#include <string>

namespace ldm {

/// How an edit samples and how its decoded image is finished.
struct EditPlan
{
    SamplingPlan sampling;
    std::function<RgbImage(RgbImage decoded)> finish;
};
/// True for "img2img", "inpaint" and "outpaint".
bool isEditTask(const std::string& task);
/// Checks the input image (and mask) of an edit request; the image size becomes the output size.
Result<void> validateEdit(const LoadedModel& model, const GenerateRequest& request);
/// The request an edit samples: an outpaint's input grown into its canvas with the new area as
/// the mask (and the rounded growth in its recipe), validated, with the recipe's size set to
/// the input's.
Result<GenerateRequest> prepareEdit(const LoadedModel& model, const GenerateRequest& original);
/// Encodes the input and builds the plan for `sampler` (whose schedule sets the strength's
/// start step). For an inpainting UNet it also fills `concat` with mask + masked-image latent.
Result<EditPlan> planEdit(const LoadedModel& model, const GenerateRequest& request,
                          const Sampler& sampler, torch::Device device, torch::Tensor& concat);
/// True when the UNet is an inpainting one (LdmConfig::inpaint: mask and masked-image latent
/// concatenated to x_t), so inpainting runs through the model rather than re-noise-and-paste.
bool isInpaintingModel(const LatentDiffusion& diffusion);

} // namespace ldm
