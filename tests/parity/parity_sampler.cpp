// SPDX-License-Identifier: GPL-3.0-or-later
// Sampler fixtures: DDIM / PLMS with classifier-free guidance over the text-conditioned model
// assembled from the named weight files (or one combined checkpoint).
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <sstream>

namespace ldm::parity {
namespace {

/// Loads every weight file the fixture names and keeps the parts each provides.
struct AssembledModel {
    UNetModel unet{nullptr};
    std::optional<FirstStage> firstStage;
    std::optional<LatentDiffusion> text;     ///< the part that holds the text encoder
    std::optional<NoiseSchedule> schedule;   ///< of a combined checkpoint (its own buffers)
    bool predictsV = false;                  ///< the UNet's part predicts v
};

AssembledModel assemble(const Fixture& fixture)
{
    AssembledModel out;
    std::stringstream list(fixture.meta("weights"));
    std::string name;
    while (std::getline(list, name, ',')) {
        name.erase(0, name.find_first_not_of(' '));
        auto part = LatentDiffusion::load((fixture.path().parent_path() / name).string(),
                                          fixture.loadOptions());
        if (!part) {
            ADD_FAILURE() << name << ": " << part.error().message;
            continue;
        }
        if (!part->unet().is_empty()) {
            out.unet = part->unet();
            out.schedule = part->schedule();
            out.predictsV = part->config().predictsV();
        }
        if (part->firstStage())
            out.firstStage = part->firstStage();
        if (part->takesText())
            out.text = part.value();
    }
    return out;
}

} // namespace

void runSamplerFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    AssembledModel model = assemble(fixture);
    ASSERT_FALSE(model.unet.is_empty()) << "no UNet among the weight files";
    ASSERT_TRUE(model.firstStage.has_value()) << "no first stage among the weight files";
    ASSERT_TRUE(model.text.has_value()) << "no text encoder among the weight files";

    // Separate weight files carry no schedule: the sampler file's `ldm_params` gives it. A
    // combined checkpoint is sampled with its own schedule, as a user's file is.
    Result<NoiseSchedule> schedule = makeError(ErrorCode::Internal, "no schedule");
    if (fixture.hasMeta("ldm_params") || !model.schedule) {
        auto config = LdmConfig::fromMetadata(fixture.file().metadata());
        ASSERT_TRUE(config.ok()) << config.error().message;
        schedule = NoiseSchedule::fromConfig(config->schedule);
    } else {
        schedule = *model.schedule;
    }
    ASSERT_TRUE(schedule.ok()) << schedule.error().message;
    if (fixture.has("betas"))
        fixture.expectClose("betas", schedule->betas());
    if (fixture.has("alphas_cumprod"))
        fixture.expectClose("alphas_cumprod", schedule->alphasCumprod());

    auto kind = parseSamplerKind(fixture.meta("sampler"));
    ASSERT_TRUE(kind.ok()) << kind.error().message;
    const int steps = std::stoi(fixture.meta("steps"));
    const double eta = std::stod(fixture.meta("eta"));
    const double scale = std::stod(fixture.meta("guidance_scale"));
    const double scaleFactor = std::stod(fixture.meta("scale_factor"));

    const DdimTable table =
        DdimTable::build(*schedule, ddimTimesteps(schedule->timesteps(), steps), eta);
    fixture.expectClose("ddim_timesteps", torch::tensor(table.timesteps, torch::kInt64));
    fixture.expectClose("ddim_alphas", torch::tensor(table.alphas));
    fixture.expectClose("ddim_alphas_prev", torch::tensor(table.alphasPrev));
    fixture.expectClose("ddim_sigmas", torch::tensor(table.sigmas));
    fixture.expectClose("ddim_sqrt_one_minus_alphas", torch::tensor(table.sqrtOneMinusAlphas));

    // A sampler file that records its prompts: our tokenizer must give the recorded ids.
    const LdmConfig& textConfig = model.text->config();
    if (fixture.hasMeta("prompt") && (textConfig.clipText || textConfig.openClipText)) {
        auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
        ASSERT_TRUE(file.ok()) << file.error().message;
        auto clip = prompt::ClipTokenizer::load(*file, textConfig.openClipText
                                                           ? prompt::ClipFlavor::OpenClip
                                                           : prompt::ClipFlavor::OpenAi);
        ASSERT_TRUE(clip.ok()) << clip.error().message;
        for (auto [key, tokens] : {std::pair{"prompt", "tokens_cond"},
                                   std::pair{"negative_prompt", "tokens_uncond"}}) {
            auto ids = clip->encodeFixed(fixture.meta(key));
            ASSERT_TRUE(ids.ok()) << ids.error().message;
            const std::vector<int64_t> wide(ids->ids.begin(), ids->ids.end());
            fixture.expectClose(tokens, torch::tensor(wide, torch::kLong).unsqueeze(0));
        }
    }
    const torch::Tensor c = model.text->encodeTokens(fixture.get("tokens_cond"));
    const torch::Tensor uc = model.text->encodeTokens(fixture.get("tokens_uncond"));
    fixture.expectClose("c", c);
    fixture.expectClose("uc", uc);

    std::vector<torch::Tensor> calls;
    const torch::Tensor context = torch::cat({uc, c});
    EpsModel eps = [&](const torch::Tensor& x, int64_t t) {
        const torch::Tensor xIn = torch::cat({x, x});
        const torch::Tensor tIn = torch::full({xIn.size(0)}, t, torch::kInt64);
        const torch::Tensor out = model.unet->forward(xIn, tIn, context);
        calls.push_back(out);
        auto halves = out.chunk(2);
        const torch::Tensor guided = halves[0] + (halves[1] - halves[0]) * scale;
        // A v model is guided on v; the samplers take the ε it implies.
        return model.predictsV ? schedule->epsFromV(x, guided, t) : guided;
    };
    auto sampler = makeSampler(*kind, *schedule, steps, eta);
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    const torch::Tensor image = model.firstStage->decodeLatent(samples / scaleFactor);
    fixture.expectClose("image", image);
    fixture.expectClose("image_01", ((image + 1) / 2).clamp(0, 1));
}

} // namespace ldm::parity
