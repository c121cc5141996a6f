// SPDX-License-Identifier: GPL-3.0-or-later
// Stable Diffusion inpainting fixtures (kind `sd_inpaint_ddim`,
// ../shared/fixtures/sd_inpaint/README.md): a single SD file with a 9-channel UNet, sampled as
// Stability's scripts/gradio/inpainting.py does. The condition is built by the engine's own
// makeInpaintInputs (mask binarised, masked image with the fill area 0, scaled KL latent of it,
// mask by nearest, concatenated after x_t in the order mask, latent); DDIM with guidance where
// the unconditional half keeps the concat input; the decoded sample is the result.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "pipeline/inpaint_concat.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

#include <gtest/gtest.h>

namespace ldm::parity {
namespace {

/// Our tokenizer must give the recorded ids of the fixture's prompts.
void expectRecordedTokens(const Fixture& fixture, const LdmConfig& config)
{
    if (!fixture.hasMeta("prompt"))
        return;
    auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto clip = prompt::ClipTokenizer::load(
        *file, config.openClipText ? prompt::ClipFlavor::OpenClip : prompt::ClipFlavor::OpenAi);
    ASSERT_TRUE(clip.ok()) << clip.error().message;
    for (auto [key, tokens] :
         {std::pair{"prompt", "tokens_cond"}, std::pair{"negative_prompt", "tokens_uncond"}}) {
        auto ids = clip->encodeFixed(fixture.meta(key));
        ASSERT_TRUE(ids.ok()) << ids.error().message;
        const std::vector<int64_t> wide(ids->ids.begin(), ids->ids.end());
        fixture.expectClose(tokens, torch::tensor(wide, torch::kLong).unsqueeze(0));
    }
}

} // namespace

void runSdInpaintFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const std::string weights = fixture.meta("weights");
    ASSERT_FALSE(weights.empty()) << "the fixture names no weights file";
    const std::string path = (fixture.path().parent_path() / weights).string();
    const LoadOptions options = fixture.loadOptions();
    // A user's file comes without a config: detection alone must see the inpainting layout
    // (and eps-prediction, which SD-2.x files otherwise default away from).
    LoadOptions detectOnly;
    detectOnly.textHeads = options.textHeads;
    auto detected = LatentDiffusion::load(path, detectOnly);
    if (detected.ok()) {
        EXPECT_EQ(detected->config().inpaint, InpaintConcat::MaskThenLatent)
            << "a text-conditioned UNet with in = 2 x latent + 1 is an SD inpainting model";
        EXPECT_FALSE(detected->config().predictsV());
    } else {
        ADD_FAILURE() << weights << " without its config: " << detected.error().message;
    }

    auto model = LatentDiffusion::load(path, options);
    ASSERT_TRUE(model.ok()) << weights << ": " << model.error().message;
    ASSERT_FALSE(model->unet().is_empty()) << "no UNet in " << weights;
    ASSERT_TRUE(model->firstStage().has_value()) << "no first stage in " << weights;
    ASSERT_TRUE(model->takesText()) << "no text encoder in " << weights;
    ASSERT_EQ(model->config().inpaint, InpaintConcat::MaskThenLatent);
    if (fixture.hasMeta("scale_factor"))
        EXPECT_NEAR(model->scaleFactor(), std::stod(fixture.meta("scale_factor")), 1e-7);

    const NoiseSchedule& schedule = model->schedule();
    const int steps = std::stoi(fixture.meta("steps"));
    const double eta = std::stod(fixture.meta("eta"));
    const double scale = std::stod(fixture.meta("guidance_scale"));
    const DdimTable table =
        DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), eta);
    fixture.expectClose("ddim_timesteps", torch::tensor(table.timesteps, torch::kInt64));
    fixture.expectClose("ddim_alphas", torch::tensor(table.alphas));
    fixture.expectClose("ddim_alphas_prev", torch::tensor(table.alphasPrev));
    fixture.expectClose("ddim_sigmas", torch::tensor(table.sigmas));
    fixture.expectClose("ddim_sqrt_one_minus_alphas", torch::tensor(table.sqrtOneMinusAlphas));

    expectRecordedTokens(fixture, model->config());
    const torch::Tensor c = model->encodeTokens(fixture.get("tokens_cond"));
    const torch::Tensor uc = model->encodeTokens(fixture.get("tokens_uncond"));
    fixture.expectClose("c", c);
    fixture.expectClose("uc", uc);

    const InpaintInputs inputs = makeInpaintInputs(*model, fixture.get("image"),
                                                   fixture.get("mask"), fixture.get("enc_noise"));
    fixture.expectClose("masked_image", inputs.maskedImage);
    fixture.expectClose("mask_latent", inputs.latentMask);
    fixture.expectClose("z_masked", inputs.maskedLatent);
    fixture.expectClose("c_concat", inputs.concat);

    std::vector<torch::Tensor> calls;
    const torch::Tensor context = torch::cat({uc, c});
    const torch::Tensor concat = torch::cat({inputs.concat, inputs.concat});
    const bool predictsV = model->config().predictsV();
    const EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        const torch::Tensor xIn = torch::cat({torch::cat({x, x}), concat}, 1);
        const torch::Tensor tIn = torch::full({xIn.size(0)}, t, torch::kInt64);
        const torch::Tensor out = model->unet()->forward(xIn, tIn, context);
        calls.push_back(out);
        auto halves = out.chunk(2);
        const torch::Tensor guided = halves[0] + (halves[1] - halves[0]) * scale;
        return predictsV ? schedule.epsFromV(x, guided, t) : guided;
    };
    auto kind = parseSamplerKind(fixture.meta("sampler"));
    ASSERT_TRUE(kind.ok()) << kind.error().message;
    auto sampler = makeSampler(*kind, schedule, steps, eta);
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    const torch::Tensor result = model->firstStage()->decodeLatent(samples / model->scaleFactor());
    fixture.expectClose("result", result);
    fixture.expectClose("result_01", ((result + 1) / 2).clamp(0, 1));
}

} // namespace ldm::parity
