// SPDX-License-Identifier: GPL-3.0-or-later
// SD x4 upscaler fixtures (../shared/fixtures/x4/README.md): LatentUpscaleDiffusion as the
// reference's scripts/gradio/superresolution.py samples it. The low-res image is noise-augmented
// under the low-scale schedule at `noise_level`, concatenated to x_t at every call, the level is
// the UNet's class label for both guidance halves, the prompt goes through OpenCLIP, DDIM runs
// on v with guidance, and the f4 decoder makes the 4x image.
//
// The checkpoint is loaded twice: as people download it (no config: everything
// x4-upscaling.yaml says must be recognised from its tensors) and with the recorded config.
// Both must agree on the plan and both must reproduce the reference chain.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "pipeline/guided_denoiser.h"
#include "pipeline/image_convert.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

#include <gtest/gtest.h>

namespace ldm::parity {
namespace {

/// The reference's low-res tensor must be what our image conversion makes of its pixels.
void checkImageConversion(const Fixture& fixture)
{
    const torch::Tensor lr01 = fixture.get("lr_01");
    const torch::Tensor bytes = (lr01 * 255).round().clamp(0, 255).to(torch::kUInt8);
    RgbImage image;
    image.height = int(bytes.size(2));
    image.width = int(bytes.size(3));
    const torch::Tensor hwc = bytes[0].permute({1, 2, 0}).contiguous();
    image.pixels.assign(hwc.data_ptr<uint8_t>(), hwc.data_ptr<uint8_t>() + hwc.numel());
    fixture.expectClose("lr", imageToTensor(image));
}

void checkPrompts(const Fixture& fixture)
{
    auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
    ASSERT_TRUE(file.ok()) << file.error().message;
    auto clip = prompt::ClipTokenizer::load(*file, prompt::ClipFlavor::OpenClip);
    ASSERT_TRUE(clip.ok()) << clip.error().message;
    for (auto [key, tokens] :
         {std::pair{"prompt", "tokens_cond"}, std::pair{"negative_prompt", "tokens_uncond"}}) {
        auto ids = clip->encodeFixed(fixture.meta(key));
        ASSERT_TRUE(ids.ok()) << ids.error().message;
        const std::vector<int64_t> wide(ids->ids.begin(), ids->ids.end());
        fixture.expectClose(tokens, torch::tensor(wide, torch::kLong).unsqueeze(0));
    }
}

/// What the reference config says and detection from the tensors must find alike.
void expectSamePlan(const LatentDiffusion& detected, const LatentDiffusion& configured)
{
    const LdmConfig& a = detected.config();
    const LdmConfig& b = configured.config();
    ASSERT_TRUE(a.lowScale && b.lowScale) << "not recognised as the x4 upscaler";
    EXPECT_EQ(a.lowScale->maxNoiseLevel, b.lowScale->maxNoiseLevel);
    EXPECT_EQ(a.lowScale->schedule.linearStart, b.lowScale->schedule.linearStart);
    EXPECT_EQ(a.lowScale->schedule.linearEnd, b.lowScale->schedule.linearEnd);
    EXPECT_EQ(a.conditioningKey, ConditioningKey::HybridAdm);
    EXPECT_EQ(b.conditioningKey, ConditioningKey::HybridAdm);
    EXPECT_EQ(a.parameterization, b.parameterization);
    EXPECT_DOUBLE_EQ(detected.scaleFactor(), configured.scaleFactor());
    ASSERT_TRUE(a.unet && b.unet);
    // Levels without attention carry the flag in the config but build nothing with it.
    for (int64_t level = 0, ds = 1; level < a.unet->levels(); ++level, ds *= 2)
        if (a.unet->hasAttentionAt(ds)) {
            EXPECT_EQ(a.unet->selfAttentionDisabled(level), b.unet->selfAttentionDisabled(level))
                << "disable_self_attentions at level " << level;
        }
    EXPECT_EQ(a.unet->disableMiddleSelfAttn, b.unet->disableMiddleSelfAttn);
    EXPECT_EQ(a.unet->numClasses, b.unet->numClasses);
    for (int64_t mult : a.unet->channelMult) {
        const int64_t channels = mult * a.unet->modelChannels;
        auto headsA = a.unet->attentionHeads(channels, false);
        auto headsB = b.unet->attentionHeads(channels, false);
        ASSERT_TRUE(headsA.ok() && headsB.ok());
        EXPECT_EQ(headsA->heads, headsB->heads) << "heads at " << channels << " channels";
        EXPECT_EQ(headsA->headDim, headsB->headDim) << "head width at " << channels << " channels";
    }
}

/// The whole reference chain through one loaded model.
void runChain(const Fixture& fixture, const LatentDiffusion& model)
{
    ASSERT_FALSE(model.unet().is_empty());
    ASSERT_TRUE(model.firstStage().has_value());
    ASSERT_TRUE(model.lowScale().has_value());
    ASSERT_TRUE(model.config().predictsV()) << "the x4 upscaler predicts v";
    EXPECT_NEAR(model.scaleFactor(), std::stod(fixture.meta("scale_factor")), 1e-12);

    const int steps = std::stoi(fixture.meta("steps"));
    const double eta = std::stod(fixture.meta("eta"));
    const double scale = std::stod(fixture.meta("guidance_scale"));
    const NoiseSchedule& schedule = model.schedule();
    const DdimTable table =
        DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), eta);
    fixture.expectClose("ddim_timesteps", torch::tensor(table.timesteps, torch::kInt64));
    fixture.expectClose("ddim_alphas", torch::tensor(table.alphas));
    fixture.expectClose("ddim_alphas_prev", torch::tensor(table.alphasPrev));
    fixture.expectClose("ddim_sigmas", torch::tensor(table.sigmas));
    fixture.expectClose("ddim_sqrt_one_minus_alphas", torch::tensor(table.sqrtOneMinusAlphas));

    const torch::Tensor c = model.encodeTokens(fixture.get("tokens_cond"));
    const torch::Tensor uc = model.encodeTokens(fixture.get("tokens_uncond"));
    fixture.expectClose("c", c);
    fixture.expectClose("uc", uc);

    const int64_t level = fixture.get("noise_level").item<int64_t>();
    ASSERT_TRUE(model.lowScale()->checkNoiseLevel(level).ok());
    const torch::Tensor xAug =
        model.lowScale()->apply(fixture.get("lr"), level, fixture.get("aug_noise"));
    fixture.expectClose("x_aug", xAug);

    // The engine's own guided denoiser, checked against the reference's formula at every call.
    Conditions conditions;
    conditions.context = c;
    conditions.uncondContext = uc;
    conditions.classLabels = torch::full({1}, level, torch::kLong);
    std::vector<torch::Tensor> calls;
    double worstEngineGap = 0.0;
    const EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        const torch::Tensor xIn = torch::cat({x, x});
        const torch::Tensor tIn = torch::full({2}, t, torch::kInt64);
        const torch::Tensor labels = torch::full({2}, level, torch::kLong);
        const torch::Tensor out = model.unet()->forward(
            torch::cat({xIn, torch::cat({xAug, xAug})}, 1), tIn, torch::cat({uc, c}), labels);
        calls.push_back(out);
        auto halves = out.chunk(2);
        const torch::Tensor guided =
            schedule.epsFromV(x, halves[0] + (halves[1] - halves[0]) * scale, t);
        const torch::Tensor engine = guidedEps(model, conditions, scale, x, t, xAug, {});
        worstEngineGap = std::max(worstEngineGap, (engine - guided).abs().max().item<double>());
        return guided;
    };
    auto sampler = makeSampler(SamplerKind::Ddim, schedule, steps, eta);
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    EXPECT_LE(worstEngineGap, 1e-5) << "the engine's guided denoiser departs from the reference";
    std::printf("  engine guided denoiser gap   %.3e\n", worstEngineGap);
    const torch::Tensor image = model.firstStage()->decodeLatent(samples / model.scaleFactor());
    fixture.expectClose("image", image);
    fixture.expectClose("image_01", ((image + 1) / 2).clamp(0, 1));
}

} // namespace

void runLatentUpscalerFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const std::string weights = fixture.meta("weights");
    ASSERT_FALSE(weights.empty()) << "the fixture names no weights file";
    const std::string path = (fixture.path().parent_path() / weights).string();
    const LoadOptions configuredOptions = fixture.loadOptions();
    LoadOptions bareOptions;
    bareOptions.textHeads = configuredOptions.textHeads; // OpenCLIP heads are not in the weights
    auto detected = LatentDiffusion::load(path, bareOptions);
    ASSERT_TRUE(detected.ok()) << weights << " without a config: " << detected.error().message;
    auto configured = LatentDiffusion::load(path, configuredOptions);
    ASSERT_TRUE(configured.ok()) << weights << " with its config: " << configured.error().message;
    expectSamePlan(*detected, *configured);

    checkImageConversion(fixture);
    checkPrompts(fixture);
    std::printf("  -- detected from the tensors (no config)\n");
    runChain(fixture, *detected);
    std::printf("  -- with x4-upscaling.yaml's config\n");
    runChain(fixture, *configured);
}

} // namespace ldm::parity
