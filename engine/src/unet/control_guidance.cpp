// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/control_guidance.h"

#include <cmath>

namespace ldm {

bool ControlInput::appliesAt(double t) const
{
    if (!enabled())
        return false;
    if (timesteps.empty())
        return true;
    // Nearest rather than exact: a sampler may evaluate between two steps' timesteps (PLMS's
    // first step looks one step ahead); that call belongs to the step it is closest to.
    size_t step = 0;
    for (size_t i = 1; i < timesteps.size(); ++i)
        if (std::abs(double(timesteps[i]) - t) < std::abs(double(timesteps[step]) - t))
            step = i;
    const double fraction = double(step) / double(timesteps.size());
    return fraction >= start && fraction <= end;
}

std::vector<double> controlScales(double strength, bool guessMode, size_t count)
{
    std::vector<double> scales(count, strength);
    if (guessMode) // the reference's 13-entry list, paired with the residuals by position
        for (size_t i = 0; i < count; ++i)
            scales[i] = strength * std::pow(0.825, double(i < 12 ? 12 - i : 0));
    return scales;
}

std::vector<torch::Tensor> controlResiduals(const ControlInput& control, const torch::Tensor& x,
                                            const torch::Tensor& timesteps,
                                            const torch::Tensor& context, bool guidedBatch)
{
    if (!control.enabled())
        return {};
    TORCH_CHECK(timesteps.dim() == 1 && timesteps.size(0) == x.size(0),
                "control: expected one timestep per latent");
    if (!control.appliesAt(timesteps[0].item<double>()))
        return {};
    const bool condOnly = guidedBatch && control.guessMode;
    const int64_t half = x.size(0) / 2;
    const auto condHalf = [&](const torch::Tensor& batch) {
        return batch.defined() ? batch.narrow(0, half, x.size(0) - half) : batch;
    };
    const torch::Tensor xIn = condOnly ? condHalf(x) : x;
    const torch::Tensor hint = control.hint.expand({xIn.size(0), -1, -1, -1});
    ControlNet net = control.net; // forward() is non-const; the holder shares the module
    std::vector<torch::Tensor> residuals =
        net->forward(xIn, hint, condOnly ? condHalf(timesteps) : timesteps,
                     condOnly ? condHalf(context) : context);
    const std::vector<double> scales =
        controlScales(control.strength, control.guessMode, residuals.size());
    for (size_t i = 0; i < residuals.size(); ++i) {
        residuals[i] = residuals[i] * scales[i];
        if (condOnly) // the unconditional half runs as if no ControlNet were there
            residuals[i] =
                torch::cat({torch::zeros_like(residuals[i]).narrow(0, 0, half), residuals[i]});
    }
    return residuals;
}

} // namespace ldm
