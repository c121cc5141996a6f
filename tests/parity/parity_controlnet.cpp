// SPDX-License-Identifier: GPL-3.0-or-later
// ControlNet fixtures (../shared/fixtures/controlnet/README.md): lllyasviel's ControlLDM over an
// SD-1.x base as its gradio_seg2image.py samples it. The hint goes through our ControlNet, its
// residuals (scaled as the engine scales them) into the base UNet's skips, with the engine's
// own control_guidance code deciding scales, guess mode and the start / end range.
#include "checkpoint/control_net_file.h"
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"
#include "sampling/ddim_table.h"
#include "sampling/sampler.h"
#include "unet/control_guidance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

namespace ldm::parity {
namespace {

bool metaFlag(const Fixture& fixture, const std::string& key)
{
    const std::string value = fixture.meta(key);
    return value == "1" || value == "true" || value == "True";
}

/// A metadata number under the first of `keys` present, else `fallback`.
double metaNumber(const Fixture& fixture, std::initializer_list<const char*> keys, double fallback)
{
    for (const char* key : keys)
        if (fixture.hasMeta(key))
            return std::stod(fixture.meta(key));
    return fallback;
}

/// The base's own config as the reference ran it: the ControlLDM config without its control
/// part (the UNet is an ordinary one once the residuals are an input).
LoadOptions baseOptions(const Fixture& fixture)
{
    LoadOptions options = fixture.loadOptions();
    if (options.configParams.is_object())
        for (const char* key : {"control_stage_config", "control_key", "only_mid_control"})
            options.configParams.erase(key);
    return options;
}

/// Compares one recorded residual with ours where both exist: the conditional half only in
/// guess mode (the unconditional half has no control there), and the stored tensor either
/// before or after the strength scale (whichever it recorded; the samples check the scale).
void expectResidual(const Fixture& fixture, const std::string& name, const torch::Tensor& raw,
                    double scale, bool guessMode)
{
    torch::Tensor ref = fixture.get(name);
    ASSERT_TRUE(ref.defined());
    torch::Tensor ours = raw;
    if (guessMode || ref.size(0) != ours.size(0)) {
        ref = ref.narrow(0, ref.size(0) - 1, 1);
        ours = ours.narrow(0, ours.size(0) - 1, 1);
    }
    ASSERT_EQ(ours.sizes(), ref.sizes()) << name;
    const auto errorOf = [&](const torch::Tensor& t) {
        return (t.to(torch::kFloat64) - ref.to(torch::kFloat64)).abs().max().item<double>();
    };
    const double err = std::min(errorOf(ours), errorOf(ours * scale));
    const double tol = fixture.tolerance(name, ref.abs().max().item<double>());
    EXPECT_LE(err, tol) << fixture.fileName() << ": '" << name << "' max abs error " << err;
    std::printf("  %-28s max abs err %.3e  (tolerance %.1e)%s\n", name.c_str(), err, tol,
                err <= tol ? "" : "  FAIL");
}

} // namespace

void runControlNetFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const auto folder = fixture.path().parent_path();
    ASSERT_TRUE(fixture.hasMeta("base")) << "the fixture names no base model";
    auto base =
        LatentDiffusion::load((folder / fixture.meta("base")).string(), baseOptions(fixture));
    ASSERT_TRUE(base.ok()) << base.error().message;
    ASSERT_FALSE(base->unet().is_empty()) << "no UNet in the base";
    ASSERT_TRUE(base->firstStage().has_value()) << "no first stage in the base";
    ASSERT_TRUE(base->takesText()) << "the base takes no prompt";
    auto net = loadControlNet((folder / fixture.meta("weights")).string(), *base->config().unet,
                              "the base model");
    ASSERT_TRUE(net.ok()) << net.error().message;

    // The prompts through our tokenizer and the base's text encoder.
    auto vocab = prompt::findTokenizerFile(prompt::ClipVocabFileName);
    ASSERT_TRUE(vocab.ok()) << vocab.error().message;
    auto clip = prompt::ClipTokenizer::load(*vocab, base->config().openClipText
                                                        ? prompt::ClipFlavor::OpenClip
                                                        : prompt::ClipFlavor::OpenAi);
    ASSERT_TRUE(clip.ok()) << clip.error().message;
    const auto encode = [&](const std::string& text) {
        auto ids = clip->encodeFixed(text);
        EXPECT_TRUE(ids.ok()) << (ids.ok() ? "" : ids.error().message);
        const std::vector<int64_t> wide(ids->ids.begin(), ids->ids.end());
        return base->encodeTokens(torch::tensor(wide, torch::kLong).unsqueeze(0));
    };
    const torch::Tensor c = encode(fixture.meta("prompt"));
    const torch::Tensor uc = encode(fixture.meta("negative_prompt"));
    fixture.expectClose("c", c);
    fixture.expectClose("uc", uc);

    const NoiseSchedule& schedule = base->schedule();
    auto kind = parseSamplerKind(fixture.meta("sampler"));
    ASSERT_TRUE(kind.ok()) << kind.error().message;
    const int steps = std::stoi(fixture.meta("steps"));
    const double eta = std::stod(fixture.meta("eta"));
    const double scale = std::stod(fixture.meta("guidance_scale"));
    if (*kind == SamplerKind::Ddim) {
        const DdimTable table =
            DdimTable::build(schedule, ddimTimesteps(schedule.timesteps(), steps), eta);
        fixture.expectClose("ddim_timesteps", torch::tensor(table.timesteps, torch::kInt64));
        fixture.expectClose("ddim_alphas", torch::tensor(table.alphas));
        fixture.expectClose("ddim_sigmas", torch::tensor(table.sigmas));
    }
    auto sampler = makeSampler(*kind, schedule, steps, eta);
    ASSERT_TRUE(sampler.ok()) << sampler.error().message;

    ControlInput control;
    control.net = *net;
    control.hint = fixture.get("hint");
    control.strength = metaNumber(fixture, {"control_strength"}, 1.0);
    control.start =
        metaNumber(fixture, {"control_start", "guidance_start", "control_guidance_start"}, 0.0);
    control.end = metaNumber(fixture, {"control_end", "guidance_end", "control_guidance_end"}, 1.0);
    control.guessMode = metaFlag(fixture, "guess_mode");
    control.timesteps = (*sampler)->timesteps();
    const size_t count = (*net)->residualCount();
    const std::vector<double> scales = controlScales(control.strength, control.guessMode, count);
    // The reference keeps a list of 13 and pairs it with the residuals by position; a fixture
    // may record it as a tensor or as a JSON list in its metadata.
    torch::Tensor recordedScales;
    if (fixture.has("control_scales"))
        recordedScales = fixture.get("control_scales");
    else if (const auto list = fixture.metaJson("control_scales"); list.is_array())
        recordedScales = torch::tensor(list.get<std::vector<double>>(), torch::kFloat64);
    if (recordedScales.defined()) {
        const torch::Tensor ref = recordedScales.to(torch::kFloat64).flatten();
        ASSERT_GE(ref.size(0), int64_t(count)) << "fewer control_scales than residuals";
        const double err =
            (ref.narrow(0, 0, int64_t(count)) - torch::tensor(scales, torch::kFloat64))
                .abs()
                .max()
                .item<double>();
        EXPECT_LE(err, 1e-6) << "control_scales";
        std::printf("  %-28s max abs err %.3e  (tolerance 1.0e-06)\n", "control_scales", err);
    }

    std::vector<torch::Tensor> calls;
    const torch::Tensor context = torch::cat({uc, c});
    // `auto t`: the samplers pass integer timesteps here (DDIM, PLMS), whatever their type.
    EpsModel eps = [&](const torch::Tensor& x, auto t) {
        const torch::Tensor xIn = torch::cat({x, x});
        const torch::Tensor tIn = torch::full({xIn.size(0)}, t, torch::kInt64);
        if (calls.empty()) { // the first call's residuals, as the reference recorded them
            const auto raw =
                control.net->forward(xIn, control.hint.expand({2, -1, -1, -1}), tIn, context);
            for (size_t i = 0; i < count; ++i)
                if (const std::string name = "dbg.control_0." + std::to_string(i);
                    fixture.has(name))
                    expectResidual(fixture, name, raw[i], scales[i], control.guessMode);
        }
        const auto residuals = controlResiduals(control, xIn, tIn, context, true);
        const torch::Tensor out = base->unet()->forward(xIn, tIn, context, {}, residuals);
        calls.push_back(out);
        auto halves = out.chunk(2);
        return halves[0] + (halves[1] - halves[0]) * scale;
    };
    const torch::Tensor samples = sampleAndCompare(fixture, **sampler, eps, calls);
    ASSERT_TRUE(samples.defined());
    const torch::Tensor image = base->firstStage()->decodeLatent(samples / base->scaleFactor());
    fixture.expectClose("image", image);
    if (fixture.has("image_01"))
        fixture.expectClose("image_01", ((image + 1) / 2).clamp(0, 1));
}

bool isControlNetWeights(const io::SafetensorsFile& file)
{
    // A v1.0 ControlNet file also carries the whole SD model it was trained on.
    static const char* modelPrefixes[] = {"model.diffusion_model.", "first_stage_model.",
                                          "cond_stage_model.", "model_ema."};
    bool control = false;
    for (const auto& info : file.tensors()) {
        if (info.name.rfind(ControlNetPrefix, 0) == 0) {
            control = true;
            continue;
        }
        const bool modelPart =
            info.name.find('.') == std::string::npos || // schedule buffers
            std::any_of(std::begin(modelPrefixes), std::end(modelPrefixes),
                        [&](const char* prefix) { return info.name.rfind(prefix, 0) == 0; });
        if (!modelPart)
            return false;
    }
    return control;
}

void runControlNetWeightsFixture(const Fixture& fixture)
{
    io::TensorMap tensors;
    for (const auto& info : fixture.file().tensors())
        tensors[info.name] = fixture.file().tensor(info.name);
    auto signature = readControlNetSignature(tensors);
    ASSERT_TRUE(signature.ok()) << signature.error().message;
    std::printf("  ControlNet: %lld channels, %zu input blocks, hint %lld channels, context %lld\n",
                static_cast<long long>(signature->modelChannels), signature->inputBlocks,
                static_cast<long long>(signature->hintChannels),
                static_cast<long long>(signature->contextDim));
    // Every key must load into the layout of the base a sampler file of this folder pairs it
    // with; without such a file the signature above is all that can be checked.
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(fixture.path().parent_path(), ec)) {
        if (entry.path().extension() != ".safetensors" || entry.path() == fixture.path())
            continue;
        auto other = io::SafetensorsFile::open(entry.path().string());
        if (!other || other->metadata().count("base") == 0 ||
            other->metadata().count("weights") == 0 ||
            other->metadata().at("weights") != fixture.fileName())
            continue;
        const std::string basePath =
            (fixture.path().parent_path() / other->metadata().at("base")).string();
        auto base = LatentDiffusion::load(basePath);
        ASSERT_TRUE(base.ok()) << base.error().message;
        auto net = controlNetFromTensors(tensors, *base->config().unet, "the base model");
        ASSERT_TRUE(net.ok()) << net.error().message;
        std::printf("  loads cleanly onto %s (%lld parameters)\n",
                    other->metadata().at("base").c_str(),
                    static_cast<long long>(parameterCount(**net)));
        return;
    }
}

} // namespace ldm::parity
