// SPDX-License-Identifier: GPL-3.0-or-later
// Inpainting fixtures (kind `inpaint_ddim`, ../shared/fixtures/inpaint/README.md): the CompVis
// inpainting_big layout step by step as scripts/inpaint.py runs it. The masked image goes
// through the first stage (pre-quantisation), the mask is resized to the latent by nearest in
// {-1, 1}, both are concatenated to x_t as UNet input, DDIM runs without guidance, and the
// decoded image is pasted into the input where the mask is 1. The condition comes from the
// engine's makeInpaintInputs, so the parity covers what inpainting runs.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "pipeline/inpaint_concat.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

#include <gtest/gtest.h>

namespace ldm::parity {

void runInpaintFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const std::string weights = fixture.meta("weights");
    ASSERT_FALSE(weights.empty()) << "the fixture names no weights file";
    // Loaded as generation loads it: the plan picks the ordinary weights because this random
    // model's EMA copy is its untrained initialisation (zero output layer).
    auto model = LatentDiffusion::load((fixture.path().parent_path() / weights).string(),
                                       fixture.loadOptions());
    ASSERT_TRUE(model.ok()) << weights << ": " << model.error().message;
    ASSERT_FALSE(model->unet().is_empty()) << "no UNet in " << weights;
    ASSERT_TRUE(model->firstStage().has_value()) << "no first stage in " << weights;
    const FirstStage& stage = *model->firstStage();
    const int64_t latent = stage.latentChannels();
    ASSERT_EQ(model->config().unet->inChannels, 2 * latent + 1)
        << "not an inpainting UNet (in_channels = latent + latent + mask)";

    const int steps = std::stoi(fixture.meta("steps"));
    const double eta = std::stod(fixture.meta("eta"));
    const NoiseSchedule& schedule = model->schedule();
    const DdimTable table =
        DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), eta);
    fixture.expectClose("ddim_timesteps", torch::tensor(table.timesteps, torch::kInt64));
    fixture.expectClose("ddim_alphas", torch::tensor(table.alphas));
    fixture.expectClose("ddim_alphas_prev", torch::tensor(table.alphasPrev));
    fixture.expectClose("ddim_sigmas", torch::tensor(table.sigmas));
    fixture.expectClose("ddim_sqrt_one_minus_alphas", torch::tensor(table.sqrtOneMinusAlphas));

    const torch::Tensor input = fixture.get("input_01");
    const torch::Tensor mask = fixture.get("mask_01");
    // The engine's own condition builder (pipeline/inpaint_concat.h), in the CompVis layout.
    ASSERT_EQ(model->config().inpaint, InpaintConcat::LatentThenMask);
    const InpaintInputs inputs = makeInpaintInputs(*model, input * 2 - 1, mask);
    fixture.expectClose("masked_image", inputs.maskedImage);
    fixture.expectClose("h", inputs.maskedLatent);
    const torch::Tensor c = inputs.concat;
    fixture.expectClose("c", c);

    std::vector<torch::Tensor> calls;
    const EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        const torch::Tensor tIn = torch::full({x.size(0)}, t, torch::kInt64);
        torch::Tensor out = model->unet()->forward(torch::cat({x, c}, 1), tIn, torch::Tensor());
        calls.push_back(out);
        return out;
    };
    auto sampler = makeSampler(SamplerKind::Ddim, schedule, steps, eta);
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;
    // eta 0: the helper's noise source fails the test if DDIM ever asks for noise.
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    const torch::Tensor image = stage.decodeLatent(samples / model->scaleFactor());
    fixture.expectClose("image", image);
    fixture.expectClose("inpainted_01", (1 - mask) * input + mask * ((image + 1) / 2).clamp(0, 1));
}

} // namespace ldm::parity
