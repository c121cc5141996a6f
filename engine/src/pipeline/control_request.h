// SPDX-License-Identifier: GPL-3.0-or-later
// A request's ControlNet: loaded once per base model (checked against it), its hint resized to
// the output and turned into the ControlInput the guided denoiser passes to every UNet call,
// and what the result's recipe records about it.
#pragma once

#include "pipeline/engine_state.h"
#include "sampling/sampler.h"
#include "unet/control_guidance.h"

namespace ldm {

/// Loads the ControlNet at `path` for `model` (kept in model.controlNet) unless it is already
/// the one loaded. Errors name the file and why it does not fit the base. Never throws.
Result<void> loadControlNetFor(LoadedModel& model, const std::string& path, torch::Device device);

/// The control of `request` for a run with `sampler` (disabled when the request names no
/// ControlNet). Checks the task, the recipe's strength / start / end and the hint; the
/// ControlNet must have been loaded with loadControlNetFor.
Result<ControlInput> controlInputFor(const LoadedModel& model, const GenerateRequest& request,
                                     const Sampler& sampler, torch::Device device);

/// Fills the recipe's ControlNet name, hash and hint hash after a controlled run, or clears the
/// recipe's control entry when the request had none.
void recordControl(const LoadedModel& model, const GenerateRequest& request, Recipe& recipe);

} // namespace ldm
