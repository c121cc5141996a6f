// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111 parity (../shared/fixtures/a1111): its noise generators bit for bit, and
// txt2img runs of the k-diffusion samplers under A1111's names through our pipeline's pieces:
// the seeded generator, the σ schedule, the sampler and the guided ε-model of the engine.
#include "parity/parity_fixture.h"
#include "pipeline/guided_denoiser.h"
#include "pipeline/noise_generator.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"
#include "sampling/k_samplers.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace ldm::parity {
namespace {

/// Exact comparison for generator output: float32 values from the same formulas.
void expectBitExact(const Fixture& fixture, const std::string& tensor, const torch::Tensor& ours)
{
    const torch::Tensor ref = fixture.get(tensor);
    ASSERT_TRUE(ref.defined());
    ASSERT_EQ(ours.sizes(), ref.sizes()) << tensor;
    const int64_t differing = ours.ne(ref).sum().item<int64_t>();
    EXPECT_EQ(differing, 0) << fixture.fileName() << ": '" << tensor << "' differs in "
                            << differing << " of " << ref.numel() << " values (must be bit-exact)";
    std::printf("  %-28s bit-exact: %s\n", tensor.c_str(), differing == 0 ? "yes" : "NO");
    fixture.expectClose(tensor, ours); // also enters the summary line
}

NoiseKind kindOf(const std::string& name)
{
    const auto kind = parseNoiseKind(name);
    EXPECT_TRUE(kind.has_value()) << "unknown generator '" << name << "'";
    return kind.value_or(NoiseKind::Ours);
}

std::string metaOr(const Fixture& fixture, const std::string& key, const std::string& fallback)
{
    return fixture.hasMeta(key) ? fixture.meta(key) : fallback;
}

/// The prompt and negative prompt as the pipeline's CLIP tokenizer and text model read them
/// (undefined contexts, and a failure, when the tokenizer is missing).
Conditions a1111Conditions(const LatentDiffusion& model, const Fixture& fixture)
{
    Conditions conditions;
    auto vocabulary = prompt::findTokenizerFile(prompt::ClipVocabFileName);
    EXPECT_TRUE(vocabulary.ok()) << vocabulary.error().message;
    if (!vocabulary.ok())
        return conditions;
    auto clip = prompt::ClipTokenizer::load(*vocabulary, model.config().openClipText
                                                             ? prompt::ClipFlavor::OpenClip
                                                             : prompt::ClipFlavor::OpenAi);
    EXPECT_TRUE(clip.ok()) << clip.error().message;
    if (!clip.ok())
        return conditions;
    const auto encode = [&](const std::string& text) {
        auto ids = clip->encodeFixed(text);
        EXPECT_TRUE(ids.ok());
        const std::vector<int64_t> wide(ids->ids.begin(), ids->ids.end());
        return model.encodeTokens(torch::tensor(wide, torch::kLong).unsqueeze(0));
    };
    conditions.context = encode(fixture.meta("prompt"));
    conditions.uncondContext = encode(fixture.meta("negative_prompt"));
    return conditions;
}

/// The SDE samplers' Brownian tree (A1111's create_noise_sampler): seeded with the image's
/// seed, its normals from torch.randn on the device A1111 sampled on — the CPU for these
/// reference runs unless the fixture names another generator.
BrownianSource a1111BrownianSource(const Fixture& fixture, uint64_t seed)
{
    const auto treeKind = kindOf(metaOr(fixture, "brownian_rng", "cpu"));
    return {seed, [treeKind](uint64_t treeSeed, at::IntArrayRef shape) {
                return NoiseGenerator(treeSeed, treeKind).normal(shape);
            }};
}

} // namespace

void runA1111RngFixture(const Fixture& fixture)
{
    int checked = 0;
    for (const auto& info : fixture.file().tensors()) {
        // KIND.SEED.CxHxW → [3, C, H, W]: the first draw and the two next ones.
        std::stringstream name(info.name);
        std::string kind, seed, shape;
        if (!std::getline(name, kind, '.') || !std::getline(name, seed, '.') ||
            !std::getline(name, shape)) {
            ADD_FAILURE() << "unexpected tensor name '" << info.name << "'";
            continue;
        }
        const torch::Tensor ref = fixture.get(info.name);
        ASSERT_EQ(ref.dim(), 4) << info.name;
        NoiseGenerator generator(std::stoull(seed), kindOf(kind));
        std::vector<torch::Tensor> draws;
        for (int64_t i = 0; i < ref.size(0); ++i)
            draws.push_back(generator.normal({ref.size(1), ref.size(2), ref.size(3)}));
        expectBitExact(fixture, info.name, torch::stack(draws));
        ++checked;
    }
    EXPECT_GT(checked, 0) << "no generator draws in " << fixture.fileName();
}

void runA1111SamplerFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    auto model = LatentDiffusion::load(
        (fixture.path().parent_path() / fixture.meta("weights")).string(), fixture.loadOptions());
    ASSERT_TRUE(model.ok()) << model.error().message;
    ASSERT_TRUE(model->takesText()) << "the A1111 runs are text-to-image";

    // The sampler by A1111's name, its k-diffusion function and A1111's σ handling.
    auto kind = parseSamplerKind(fixture.meta("a1111_sampler"));
    ASSERT_TRUE(kind.ok()) << kind.error().message;
    ASSERT_TRUE(isKDiffusionSampler(*kind)) << fixture.meta("a1111_sampler");
    const KSamplerTraits& traits = kSamplerTraits(*kind);
    if (fixture.hasMeta("kdiffusion_function")) {
        EXPECT_EQ(std::string(traits.function), fixture.meta("kdiffusion_function"));
    }
    if (fixture.hasMeta("discard_next_to_last_sigma")) {
        EXPECT_EQ(traits.discardNextToLastSigma,
                  fixture.meta("discard_next_to_last_sigma") == "True");
    }
    auto schedule = parseSigmaSchedule(metaOr(fixture, "schedule", "automatic"));
    ASSERT_TRUE(schedule.ok()) << schedule.error().message;
    const int steps = std::stoi(fixture.meta("steps"));
    auto sampler = makeSampler(*kind, model->schedule(), steps, 0.0, *schedule,
                               a1111BrownianSource(fixture, std::stoull(fixture.meta("seed"))));
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;
    const auto* kSampler = dynamic_cast<const KDiffusionSampler*>(sampler->get());
    ASSERT_NE(kSampler, nullptr);
    fixture.expectClose("sigmas", kSampler->sigmas());
    const DiscreteSigmas sigmaModel(model->schedule());

    const Conditions conditions = a1111Conditions(*model, fixture);
    ASSERT_TRUE(conditions.context.defined() && conditions.uncondContext.defined());
    const double scale = std::stod(fixture.meta("guidance_scale"));
    const EpsModel pipelineEps = makeGuidedEpsModel(*model, conditions, scale);

    // Every call's denoised halves [uncond, cond] (x − σ·ε at the call's σ), then the
    // pipeline's guided ε.
    std::vector<torch::Tensor> calls;
    const torch::Tensor context = torch::cat({conditions.uncondContext, conditions.context});
    const EpsModel eps = [&](const torch::Tensor& xIn, double t) {
        const float sigma = sigmaModel.tToSigma(float(t));
        const torch::Tensor x = xIn * std::sqrt(double(sigma) * sigma + 1.0);
        const torch::Tensor tIn = torch::full({2}, t, torch::kFloat);
        const torch::Tensor halves = model->unet()->forward(torch::cat({xIn, xIn}), tIn, context);
        torch::Tensor epsHalves = halves;
        if (model->config().predictsV())
            epsHalves = torch::cat({model->schedule().epsFromV(xIn, halves[0].unsqueeze(0), t),
                                    model->schedule().epsFromV(xIn, halves[1].unsqueeze(0), t)});
        calls.push_back(torch::cat({x, x}) - epsHalves * sigma);
        return pipelineEps(xIn, t);
    };

    // The generator as A1111's ImageRNG: x_T is the first draw, ancestral noise the next ones.
    const uint64_t seed = std::stoull(fixture.meta("seed"));
    const uint64_t delta = std::stoull(metaOr(
        fixture, "ensd", metaOr(fixture, "ENSD", metaOr(fixture, "eta_noise_seed_delta", "0"))));
    NoiseGenerator generator(seed, kindOf(fixture.meta("rng")), delta);
    const torch::Tensor xTRef = fixture.get("x_T_unit");
    ASSERT_TRUE(xTRef.defined());
    const torch::Tensor xT = generator.normal(xTRef.sizes());
    expectBitExact(fixture, "x_T_unit", xT);
    std::vector<torch::Tensor> drawn;
    const NoiseSource noise = [&](int, at::IntArrayRef shape) {
        drawn.push_back(generator.normal(shape));
        return drawn.back();
    };
    std::vector<torch::Tensor> before{xT * kSampler->sigmas()[0].item<float>()};
    const StepObserver observer = [&](const SamplerStep& step) {
        before.push_back(step.x.clone());
        return true;
    };
    const auto samples = sampler->get()->sample(xT, eps, noise, observer);
    ASSERT_TRUE(samples.has_value());
    if (fixture.has("noise_steps") || !drawn.empty())
        expectBitExact(fixture, "noise_steps", torch::stack(drawn));
    fixture.expectClose("denoised_calls", torch::stack(calls));
    before.pop_back(); // k-diffusion's callback sees x before each step
    fixture.expectClose("x_steps", torch::stack(before));
    fixture.expectClose("samples", *samples);
    const torch::Tensor image = model->firstStage()->decodeLatent(*samples / model->scaleFactor());
    fixture.expectClose("image", image);
    fixture.expectClose("image_01", ((image + 1) / 2).clamp(0, 1));
}

void runA1111MatrixFixture(const Fixture& fixture)
{
    // Every sampler with every schedule type: only the final latents are stored per run; the
    // a1111 folder's runs check every intermediate.
    c10::InferenceMode guard;
    std::filesystem::path weights = fixture.path().parent_path() / fixture.meta("weights");
    if (!std::filesystem::exists(weights))
        weights = fixturesRoot() / fixture.meta("weights");
    auto model = LatentDiffusion::load(weights.string(), fixture.loadOptions());
    ASSERT_TRUE(model.ok()) << model.error().message;
    const Conditions conditions = a1111Conditions(*model, fixture);
    ASSERT_TRUE(conditions.context.defined() && conditions.uncondContext.defined());
    const EpsModel eps =
        makeGuidedEpsModel(*model, conditions, std::stod(fixture.meta("guidance_scale")));
    const int steps = std::stoi(fixture.meta("steps"));
    const auto runs = nlohmann::json::parse(fixture.meta("runs"));
    ASSERT_FALSE(runs.empty());
    std::vector<std::pair<double, std::string>> errors; // the largest shown after the runs
    for (const auto& run : runs) {
        const std::string tag = run.at("tag");
        SCOPED_TRACE(tag);
        auto kind = parseSamplerKind(run.at("a1111_sampler").get<std::string>());
        ASSERT_TRUE(kind.ok()) << kind.error().message;
        auto schedule = parseSigmaSchedule(run.at("schedule").get<std::string>());
        ASSERT_TRUE(schedule.ok()) << schedule.error().message;
        const uint64_t seed = run.at("seed");
        auto sampler = makeSampler(*kind, model->schedule(), steps, 0.0, *schedule,
                                   a1111BrownianSource(fixture, seed));
        ASSERT_TRUE(sampler.ok()) << sampler.error().message;
        fixture.expectClose(tag + ".sigmas",
                            dynamic_cast<const KDiffusionSampler&>(**sampler).sigmas());
        // A1111's ImageRNG: x_T is the seed's first draw, ancestral noise the next ones.
        NoiseGenerator generator(seed, kindOf(fixture.meta("rng")));
        const torch::Tensor xT = generator.normal({1, 4, fixture.get(tag + ".samples").size(2),
                                                   fixture.get(tag + ".samples").size(3)});
        const auto samples = sampler->get()->sample(
            xT, eps, [&](int, at::IntArrayRef shape) { return generator.normal(shape); },
            [](const SamplerStep&) { return true; });
        ASSERT_TRUE(samples.has_value());
        errors.emplace_back(fixture.expectClose(tag + ".samples", *samples), tag);
    }
    std::sort(errors.rbegin(), errors.rend());
    for (size_t i = 0; i < std::min<size_t>(5, errors.size()); ++i)
        std::printf("  %-40s samples max error %.2e\n", errors[i].second.c_str(), errors[i].first);
}

} // namespace ldm::parity
