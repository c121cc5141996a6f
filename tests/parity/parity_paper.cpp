// SPDX-License-Identifier: GPL-3.0-or-later
// The paper's conditional tasks with the CompVis release layouts (kinds `semantic_ddim` and
// `superres_ddim`, ../shared/fixtures/paper/README.md). The model is loaded as a user's
// release folder is: by its model.ckpt path, the config.yaml beside it found and the sampling
// weights chosen by the engine's load plan (EMA here, as the reference's ema_scope). The
// condition is built by the engine's own conversions: class ids → one-hot → SpatialRescaler
// for a semantic map, the low-res image as the engine reads it for super-resolution. DDIM
// replays the recorded noise at every step; the samples are quantised and decoded.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "pipeline/image_convert.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

#include <gtest/gtest.h>

namespace ldm::parity {
namespace {

/// The fixture's class ids [1, H, W] as the label map a user's PNG becomes.
LabelMap labelMapOf(const torch::Tensor& labels)
{
    LabelMap map;
    map.height = int(labels.size(1));
    map.width = int(labels.size(2));
    const torch::Tensor bytes = labels[0].to(torch::kUInt8).contiguous();
    map.ids.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return map;
}

/// The fixture's ToTensor image [1, 3, h, w] in [0, 1] as the 8-bit picture it was made from.
RgbImage imageOf(const torch::Tensor& image01)
{
    const torch::Tensor bytes =
        (image01[0] * 255).round().clamp(0, 255).to(torch::kUInt8).permute({1, 2, 0}).contiguous();
    RgbImage image;
    image.height = int(image01.size(2));
    image.width = int(image01.size(3));
    image.pixels.assign(bytes.data_ptr<uint8_t>(), bytes.data_ptr<uint8_t>() + bytes.numel());
    return image;
}

} // namespace

void runPaperFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const std::string weights = fixture.meta("weights");
    ASSERT_FALSE(weights.empty()) << "the fixture names no checkpoint";
    auto model = LatentDiffusion::load((fixture.path().parent_path() / weights).string(),
                                       fixture.loadOptions());
    ASSERT_TRUE(model.ok()) << weights << ": " << model.error().message;
    EXPECT_FALSE(model->configPath().empty())
        << weights << ": the config.yaml beside it was not used";
    EXPECT_TRUE(model->usesEma()) << weights << " sampled with the raw weights: "
                                  << model->weightChoice().reason;
    std::printf("  config: %s\n  weights: %s (%s)\n", model->configSource().c_str(),
                model->weightChoice().name(), model->weightChoice().reason.c_str());
    ASSERT_FALSE(model->unet().is_empty()) << "no UNet in " << weights;
    ASSERT_TRUE(model->firstStage().has_value()) << "no first stage in " << weights;

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

    torch::Tensor c;
    if (fixture.has("labels")) {
        ASSERT_FALSE(model->rescaler().is_empty()) << weights << " has no map rescaler";
        const int64_t classes = model->config().rescaler->inChannels;
        const LabelMap map = labelMapOf(fixture.get("labels"));
        for (uint8_t id : map.ids)
            ASSERT_LT(id, classes) << "the fixture's map uses a class the model lacks";
        // Every class of the map must have a name and a colour a user can paint it with.
        EXPECT_EQ(int64_t(model->config().classes.size()), classes)
            << "no palette for the model's " << classes << " classes";
        c = model->rescaler()->forward(labelsToOneHot(map, classes));
    } else {
        ASSERT_TRUE(model->config().concatImage) << weights << " takes no low-res image";
        c = imageToTensor(imageOf(fixture.get("lr_01")));
    }
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
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    const torch::Tensor image = model->firstStage()->decodeLatent(samples / model->scaleFactor());
    fixture.expectClose("image", image);
    fixture.expectClose("image_01", ((image + 1) / 2).clamp(0, 1));
}

} // namespace ldm::parity
