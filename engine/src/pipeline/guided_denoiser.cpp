// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/guided_denoiser.h"

#include <cmath>

namespace ldm {
namespace {

torch::Tensor withConcat(const torch::Tensor& x, const torch::Tensor& concat)
{
    if (!concat.defined())
        return x;
    return torch::cat({x, concat.expand({x.size(0), -1, -1, -1}).to(x.scalar_type())}, 1);
}

// The reference's samplers use integer timesteps (int64, as the reference); the k-diffusion
// samplers evaluate between them (float32, as k-diffusion's sigma_to_t gives them).
torch::Tensor timestepInput(int64_t batch, double t, const torch::Tensor& x)
{
    if (t == std::floor(t))
        return torch::full({batch}, int64_t(t), x.options().dtype(torch::kLong));
    return torch::full({batch}, t, x.options().dtype(torch::kFloat));
}

} // namespace

torch::Tensor guidedEps(const LatentDiffusion& model, const Conditions& c, double scale,
                        const torch::Tensor& x, double t, const torch::Tensor& concat,
                        const torch::Tensor& uncondConcat)
{
    // A v-predicting model is guided on v (linear, as the reference does) and handed to the
    // samplers as the ε it implies.
    const auto asEps = [&](const torch::Tensor& out) {
        return model.config().predictsV() ? model.schedule().epsFromV(x, out, t) : out;
    };
    UNetModel unet = model.unet();
    const bool hasUncond = c.uncondContext.defined() || uncondConcat.defined();
    if (scale == 1.0 || !hasUncond) {
        const torch::Tensor tIn = timestepInput(x.size(0), t, x);
        return asEps(unet->forward(withConcat(x, concat), tIn, c.context, c.classLabels,
                                   controlResiduals(c.control, x, tIn, c.context, false)));
    }
    const int64_t batch = x.size(0);
    const torch::Tensor xIn = torch::cat({withConcat(x, uncondConcat.defined() ? uncondConcat : concat),
                                          withConcat(x, concat)});
    const torch::Tensor tIn = timestepInput(2 * batch, t, x);
    torch::Tensor context;
    if (c.context.defined()) {
        const torch::Tensor uc = c.uncondContext.defined() ? c.uncondContext : c.context;
        context = torch::cat({uc.expand({batch, -1, -1}), c.context.expand({batch, -1, -1})});
    }
    torch::Tensor labels;
    if (c.classLabels.defined())
        labels = torch::cat({c.classLabels.expand({batch}), c.classLabels.expand({batch})});
    const auto residuals = controlResiduals(c.control, torch::cat({x, x}), tIn, context, true);
    const auto halves = unet->forward(xIn, tIn, context, labels, residuals).chunk(2);
    return asEps(halves[0] + (halves[1] - halves[0]) * scale);
}

EpsModel makeGuidedEpsModel(const LatentDiffusion& model, const Conditions& conditions,
                            double scale)
{
    return [&model, conditions, scale](const torch::Tensor& x, double t) {
        return guidedEps(model, conditions, scale, x, t, conditions.concat,
                         conditions.uncondConcat);
    };
}

} // namespace ldm
