// SPDX-License-Identifier: GPL-3.0-or-later
// `txt2img`, `paint`, `upscale`, `img2img`, `inpaint` and `outpaint`: one request through the
// engine, written as a PNG that carries its recipe (A1111 `parameters` chunk + our JSON chunk).
#include "cli_control.h"
#include "cli_options.h"
#include "commands.h"
#include "ldm/engine.h"
#include "io/image_files.h"
#include "prompt/unicode_text.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <unistd.h>

namespace ldm::cli {
namespace {

/// Largest growth per side the parser takes; the engine then checks the canvas against the
/// model's size limits and says by how much it is over.
constexpr long long MaxGrowth = 1000000;

std::vector<OptionSpec> optionsFor(const std::string& task)
{
    std::vector<OptionSpec> specs = {
        {"model", "NAME|PATH", "shipped model name or checkpoint file", "the task's default"},
        {"config", "FILE", "CompVis config.yaml for a foreign checkpoint", ""},
        {"prediction", "eps|v",
         "what the model predicts; SD-2.x 768-v and 512-base files look alike, so say it for "
         "them (SD-2.x files default to v)",
         "from the config"},
        {"weights", "ema|raw",
         "UNet weights to sample with when the file has both (model_ema.* or the ordinary "
         "ones)",
         "as the config's use_ema, else the family's convention (inspect says which)"},
        {"sampler", "NAME",
         "ddim, plms, ddpm, dpmpp2m (DPM-Solver++ 2M on the DDIM grid), or a k-diffusion "
         "sampler by its AUTOMATIC1111 name: \"Euler\", \"Euler a\", \"Heun\", \"LMS\", "
         "\"DPM2\", \"DPM2 a\", \"DPM++ 2S a\", \"DPM++ 2M\", \"DPM++ SDE\", "
         "\"DPM++ 2M SDE\", \"DPM++ 3M SDE\" (or euler_a, dpmpp_2m, ...)",
         "the release's own (CompVis SR and semantic models: ddim), else dpmpp2m"},
        {"schedule", "NAME",
         "k-diffusion samplers' noise schedule (A1111 'Schedule type'): Automatic, Uniform, "
         "Karras, Exponential, \"SGM Uniform\", Polyexponential, \"KL Optimal\", "
         "\"Align Your Steps\", Simple, Normal or Beta",
         "Automatic (the sampler's A1111 default)"},
        {"rng", "ours|cpu|nv",
         "noise generator: ours, cpu (torch.randn on the CPU: A1111 'CPU', ComfyUI) or nv "
         "(A1111's default GPU noise); cpu and nv give those tools' picture for a seed",
         "ours"},
        {"ensd", "N", "A1111 'Eta noise seed delta' (cpu/nv: noise after x_T uses seed + N)", "0"},
        {"variation-seed", "N", "A1111 'Variation seed': x_T leans toward this seed's noise", "0"},
        {"variation-strength", "X", "how far toward the variation seed, 0..1 (A1111 slerp)", "0"},
        {"steps", "N", "sampler steps",
         "the release's own (CompVis SR and semantic: 100), else 25"},
        {"eta", "X", "DDIM eta (0 = deterministic); only the ddim sampler reads it",
         "the release's own (CompVis SR and semantic: 1), else 0"},
        {"seed", "N", "noise seed", "random"},
        {"threads", "N", "CPU threads", "all cores"},
        {"precision", "fp32|bf16",
         "arithmetic precision (bf16: bfloat16 autocast on the CPU or GPU)", "fp32"},
        {"device", "auto|cpu|cuda", "where to run", "auto"},
        {"out", "FILE.png", "output image", task + ".png"},
        {"quiet", "", "no progress output", ""},
    };
    if (task != "upscale") {
        specs.push_back({"prompt", "TEXT", "what to draw", ""});
        specs.push_back({"negative", "TEXT", "what to avoid (unconditional half of guidance)", ""});
        specs.push_back({"scale", "X", "classifier-free guidance scale",
                         "the release's own (CompVis semantic: 1, unguided), else 5"});
        specs.push_back({"clip-skip", "N",
                         "CLIP models: use the text encoder's N-th layer from the end "
                         "(A1111 'Clip skip'; 2 = penultimate)",
                         "1"});
        specs.push_back({"lora-dir", "DIR",
                         "folder of the LoRA files (.safetensors, also in subfolders) that "
                         "<lora:name:weight> in the prompt names, as in A1111",
                         "none"});
        specs.push_back({"embeddings-dir", "DIR",
                         "folder of textual-inversion embeddings (.pt, .bin, .safetensors, also "
                         "in subfolders): a word of the prompt or negative prompt equal to a "
                         "file's name stands for its vectors, as in A1111",
                         "none"});
    }
    const bool edit = task == "img2img" || task == "inpaint" || task == "outpaint";
    if (task == "txt2img" || task == "paint") {
        specs.push_back({"width", "PX", "image width (multiple of the latent factor)",
                         "the model's training size"});
        specs.push_back({"height", "PX", "image height", "the model's training size"});
    }
    if (edit) {
        specs.push_back({"in", "FILE", "image to edit (sides multiples of the latent factor)", ""});
        specs.push_back({"strength", "S",
                         "0..1: how much of the image is re-noised and redrawn (A1111 "
                         "'Denoising strength'; 0 keeps it, 1 ignores it)",
                         task == "img2img" ? "0.75" : "1"});
    }
    if (task == "inpaint")
        specs.push_back({"mask", "FILE.png", "white = area to fill, black = kept exactly; same size as --in", ""});
    if (task == "outpaint")
        for (const char* side : {"left", "right", "top", "bottom"})
            specs.push_back({side, "PX",
                             std::string("pixels to add on the ") + side +
                                 " (rounded up to the side multiple the model needs)",
                             "0"});
    if (task == "paint")
        specs.push_back({"map", "FILE.png",
                         "label map: grayscale PNG of class ids, or painted in the model's "
                         "palette colours (RGB or indexed PNG)",
                         ""});
    if (task == "upscale") {
        specs.push_back({"in", "FILE", "image to upscale 4x", ""});
        specs.push_back({"tile", "PX",
                         "tile edge in input pixels, 0 = the whole image at once (smaller tiles "
                         "need less memory)",
                         "64; SD x4 upscaler: 128"});
        // The SD x4 upscaler only: its reference script's settings and defaults.
        specs.push_back({"prompt", "TEXT", "SD x4 upscaler: what the image shows", ""});
        specs.push_back({"negative-prompt", "TEXT",
                         "SD x4 upscaler: what to avoid (unconditional half of guidance)", ""});
        specs.push_back({"guidance", "X", "SD x4 upscaler: classifier-free guidance scale", "10"});
        specs.push_back({"noise-level", "N",
                         "SD x4 upscaler: noise added to the input, 0..the model's maximum "
                         "(350); more lets it invent more detail",
                         "20"});
    }
    addControlOptions(task, specs);
    return specs;
}

void printProgress(const ProgressInfo& info, bool terminal)
{
    if (!terminal)
        return;
    const int width = 30;
    const int filled = info.total ? width * info.step / info.total : 0;
    std::fprintf(stderr, "\r%-9s [%s%s] %d/%d  %.1fs elapsed, ETA %.1fs   ", info.stage.c_str(),
                 std::string(size_t(filled), '#').c_str(), std::string(size_t(width - filled), '.').c_str(),
                 info.step, info.total, info.elapsedSeconds, info.etaSeconds);
}

int runTask(const std::string& task, const std::vector<std::string>& args)
{
    const auto specs = optionsFor(task);
    Options options = Options::parse(args, specs);
    if (options.helpRequested()) {
        const char* summary =
            task == "txt2img"   ? "Generates an image from a text prompt."
            : task == "paint"   ? "Turns a painted semantic map into an image."
            : task == "img2img" ? "Redraws an image guided by a prompt (SDEdit)."
            : task == "inpaint" ? "Fills the white area of a mask, keeping the rest exactly."
            : task == "outpaint"
                ? "Extends an image beyond its borders, keeping every original pixel exactly."
                                : "Upscales an image 4x with the super-resolution model.";
        printHelp(task, "[options]", summary, specs);
        return ExitOk;
    }
    GenerateRequest request;
    Recipe& recipe = request.recipe;
    recipe.task = task;
    recipe.sampler = samplerFromDisplayName(options.text("sampler", "dpmpp2m"));
    recipe.steps = int(options.integer("steps", 25, 1, 1000));
    recipe.eta = options.number("eta", 0.0, 0.0, 10.0);
    recipe.guidanceScale = options.number("scale", 5.0, 0.0, 50.0);
    recipe.clipSkip = int(options.integer("clip-skip", 1, 1, MaxClipSkip));
    // SD x4 upscaler settings: the range of a noise level depends on the model, checked once
    // it is loaded.
    const double upscalerGuidance = options.number("guidance", 10.0, 0.0, 50.0);
    const long long noiseLevel = options.integer("noise-level", -1, -1000000, 1000000);
    recipe.width = int(options.integer("width", 256, 8, 4096));
    recipe.height = int(options.integer("height", 256, 8, 4096));
    recipe.precision = options.text("precision", "fp32");
    const long long tile = options.integer("tile", -1, 0, 4096);
    if (options.error().empty() && recipe.precision != "fp32" && recipe.precision != "bf16") {
        std::fprintf(stderr, "%s: --precision must be fp32 or bf16, got '%s'\n", task.c_str(),
                     recipe.precision.c_str());
        return ExitUsage;
    }
    if (options.error().empty() && options.has("eta") && options.has("sampler") &&
        !samplerReadsEta(recipe.sampler)) {
        std::fprintf(stderr, "%s: --eta applies to the ddim sampler only; %s does not read it\n",
                     task.c_str(), options.text("sampler").c_str());
        return ExitUsage;
    }
    recipe.prompt = options.text("prompt");
    recipe.negativePrompt = options.text("negative");
    const bool edit = task == "img2img" || task == "inpaint" || task == "outpaint";
    if (task == "outpaint") {
        recipe.growth.left = int(options.integer("left", 0, 0, MaxGrowth));
        recipe.growth.right = int(options.integer("right", 0, 0, MaxGrowth));
        recipe.growth.top = int(options.integer("top", 0, 0, MaxGrowth));
        recipe.growth.bottom = int(options.integer("bottom", 0, 0, MaxGrowth));
        if (options.error().empty() && !recipe.growth.any()) {
            std::fprintf(stderr, "outpaint: give the pixels to add with --left, --right, --top "
                                 "or --bottom (at least one above 0)\n");
            return ExitUsage;
        }
    }
    if (edit) {
        const double defaultStrength = task == "img2img" ? 0.75 : 1.0;
        recipe.strength = defaultStrength;
        if (options.has("strength")) {
            const double strength = options.number("strength", defaultStrength, -1e9, 1e9);
            if (options.error().empty() && !(strength >= 0.0 && strength <= 1.0)) {
                std::fprintf(stderr, "%s: --strength must be between 0 and 1, got %s\n",
                             task.c_str(), options.text("strength").c_str());
                return ExitUsage;
            }
            recipe.strength = strength;
        }
    }
    const auto seed = options.unsignedValue("seed");
    recipe.seed = seed ? *seed : std::random_device{}() * 4294967296ull + std::random_device{}();
    recipe.schedule = scheduleFromLabel(options.text("schedule", "automatic"));
    recipe.rng = options.text("rng", "ours");
    recipe.etaNoiseSeedDelta = options.unsignedValue("ensd").value_or(0);
    recipe.variationSeed = options.unsignedValue("variation-seed").value_or(0);
    recipe.variationStrength = options.number("variation-strength", 0.0, 0.0, 1.0);
    if (options.error().empty() && recipe.schedule.empty()) {
        std::fprintf(stderr, "%s: unknown --schedule '%s' (choose Automatic, Uniform, Karras, "
                             "Exponential, \"SGM Uniform\", Polyexponential, \"KL Optimal\", "
                             "\"Align Your Steps\", Simple, Normal or Beta)\n",
                     task.c_str(), options.text("schedule").c_str());
        return ExitUsage;
    }
    if (options.error().empty() && recipe.rng != "ours" && recipe.rng != "cpu" &&
        recipe.rng != "nv") {
        std::fprintf(stderr, "%s: --rng must be ours, cpu or nv, got '%s'\n", task.c_str(),
                     recipe.rng.c_str());
        return ExitUsage;
    }
    const int threads = int(options.integer("threads", 0, 0, 256));
    if (!options.error().empty() || !options.positional().empty()) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(),
                     options.error().empty() ? ("unexpected argument '" + options.positional()[0] + "'").c_str()
                                             : options.error().c_str());
        return ExitUsage;
    }
    if (task == "paint" && !options.has("map")) {
        std::fprintf(stderr, "paint: give the label map with --map FILE.png\n");
        return ExitUsage;
    }
    if ((task == "upscale" || edit) && !options.has("in")) {
        std::fprintf(stderr, "%s: give the image with --in FILE\n", task.c_str());
        return ExitUsage;
    }
    if (task == "inpaint" && !options.has("mask")) {
        std::fprintf(stderr, "inpaint: give the mask with --mask FILE.png (white = fill)\n");
        return ExitUsage;
    }
    // Checked before the engine starts: a bad prompt or --out must fail in a second, not after
    // minutes of sampling.
    for (const char* field : {"prompt", "negative", "negative-prompt"}) {
        std::size_t badByte = 0;
        if (!prompt::decodeUtf8(options.text(field), &badByte)) {
            std::fprintf(stderr, "%s: --%s is not valid UTF-8 text (byte %zu)\n", task.c_str(),
                         field, badByte);
            return ExitUsage;
        }
    }
    if (const int code = readControlSettings(task, options, request); code != ExitOk)
        return code;
    const std::string out = options.text("out", task + ".png");
    if (auto writable = checkOutputFile(out); !writable) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), writable.error().message.c_str());
        return ExitFailure;
    }
    EngineOptions engineOptions;
    engineOptions.threads = threads;
    engineOptions.device = options.text("device", "auto");
    auto engine = Engine::create(engineOptions);
    if (!engine) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), engine.error().message.c_str());
        return ExitFailure;
    }
    const std::string modelName = options.text("model", (*engine)->defaultModelFor(task));
    const std::string prediction = options.text("prediction");
    if (!prediction.empty() && prediction != "eps" && prediction != "v") {
        std::fprintf(stderr, "%s: --prediction must be eps or v\n", task.c_str());
        return ExitUsage;
    }
    const std::string weights = options.text("weights");
    if (!weights.empty() && weights != "ema" && weights != "raw") {
        std::fprintf(stderr, "%s: --weights must be ema or raw\n", task.c_str());
        return ExitUsage;
    }
    auto info = (*engine)->loadModel(modelName, options.text("config"), prediction, weights);
    if (!info) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), info.error().message.c_str());
        return ExitFailure;
    }
    // The model's sampler settings (its release's own, or the app's and CLI's common ones)
    // unless the user chose them.
    const bool noiseAugmented = info->maxNoiseLevel >= 0;
    const SamplingDefaults defaults =
        defaultSampling(task, info->releaseDefaults, noiseAugmented);
    if (!options.has("sampler"))
        recipe.sampler = defaults.sampler;
    if (!options.has("steps"))
        recipe.steps = defaults.steps;
    if (!options.has("eta"))
        recipe.eta = defaults.eta;
    if (!options.has("scale"))
        recipe.guidanceScale = defaults.guidanceScale;
    if (options.has("eta") && !samplerReadsEta(recipe.sampler)) {
        std::fprintf(stderr, "%s: --eta applies to the ddim sampler only; %s samples with %s\n",
                     task.c_str(), info->name.c_str(), samplerDisplayName(recipe.sampler).c_str());
        return ExitUsage;
    }
    if (task == "txt2img") {
        // Models are sharpest at the size they were trained at; larger sizes stay an option.
        if (!options.has("width"))
            recipe.width = info->trainedSize;
        if (!options.has("height"))
            recipe.height = info->trainedSize;
    }
    if (task == "paint" && !options.has("control")) {
        auto map = readLabelMap(options.text("map"), info->classes);
        if (!map) {
            std::fprintf(stderr, "paint: %s\n", map.error().message.c_str());
            return ExitFailure;
        }
        request.map = std::move(map.value());
        if (!options.has("width"))
            recipe.width = request.map.width;
        if (!options.has("height"))
            recipe.height = request.map.height;
    }
    if (task == "upscale") {
        auto image = readImage(options.text("in"));
        if (!image) {
            std::fprintf(stderr, "upscale: %s\n", image.error().message.c_str());
            return ExitFailure;
        }
        request.input = std::move(image.value());
        // Input pixels; the x4 upscaler's default is its 128 x 128 training latent.
        recipe.tileSize = int(tile >= 0 ? tile : noiseAugmented ? 128 : 64);
        recipe.guidanceScale = defaults.guidanceScale;
        if (noiseAugmented) {
            // The SD x4 upscaler as the reference's superresolution script runs it.
            if (options.has("guidance"))
                recipe.guidanceScale = upscalerGuidance;
            recipe.negativePrompt = options.text("negative-prompt");
            recipe.noiseLevel = info->defaultNoiseLevel;
            if (options.has("noise-level")) {
                if (noiseLevel < 0 || noiseLevel > info->maxNoiseLevel) {
                    std::fprintf(stderr,
                                 "upscale: --noise-level must be between 0 and %d for %s, got "
                                 "%s\n",
                                 info->maxNoiseLevel, info->name.c_str(),
                                 options.text("noise-level").c_str());
                    return ExitUsage;
                }
                recipe.noiseLevel = int(noiseLevel);
            }
        } else if (options.has("prompt") || options.has("negative-prompt") ||
                   options.has("guidance") || options.has("noise-level")) {
            std::fprintf(stderr,
                         "upscale: %s takes no prompt, guidance or noise level (the SD x4 "
                         "upscaler does)\n",
                         info->name.c_str());
            return ExitUsage;
        }
    }
    if (edit) {
        auto image = readImage(options.text("in"));
        if (!image) {
            std::fprintf(stderr, "%s: %s\n", task.c_str(), image.error().message.c_str());
            return ExitFailure;
        }
        request.input = std::move(image.value());
        if (task == "inpaint") {
            auto mask = readImage(options.text("mask"));
            if (!mask) {
                std::fprintf(stderr, "inpaint: mask: %s\n", mask.error().message.c_str());
                return ExitFailure;
            }
            request.mask = std::move(mask.value());
        }
    }
    if (const int code = readControlHint(task, options, info->latentFactor, request);
        code != ExitOk)
        return code;
    const bool terminal = !options.has("quiet") && isatty(STDERR_FILENO);
    request.previewMode = PreviewMode::None;
    request.loraDir = options.text("lora-dir");
    request.embeddingsDir = options.text("embeddings-dir");
    request.onProgress = [terminal](const ProgressInfo& p) { printProgress(p, terminal); };
    auto result = (*engine)->generate(request);
    if (terminal)
        std::fprintf(stderr, "\n");
    if (!result) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), result.error().message.c_str());
        return ExitFailure;
    }
    if (task == "outpaint" && !(result->recipe.growth == recipe.growth) && !options.has("quiet")) {
        const CanvasGrowth& g = result->recipe.growth;
        std::fprintf(stderr,
                     "outpaint: grew left %d, right %d, top %d, bottom %d (rounded up to the "
                     "side multiple the model needs)\n",
                     g.left, g.right, g.top, g.bottom);
    }
    for (const auto& warning : result->warnings)
        std::fprintf(stderr, "%s: warning: %s\n", task.c_str(), warning.c_str());
    auto written = writePng(out, result->image,
                            {{"parameters", toA1111Parameters(result->recipe)},
                             {"latent-canvas", toJson(result->recipe).dump()}});
    if (!written) {
        std::fprintf(stderr, "%s: %s\n", task.c_str(), written.error().message.c_str());
        return ExitFailure;
    }
    if (!options.has("quiet"))
        std::printf("%s: %dx%d, seed %llu, %.2f s -> %s\n", task.c_str(), result->image.width,
                    result->image.height, static_cast<unsigned long long>(result->recipe.seed),
                    result->seconds, out.c_str());
    return ExitOk;
}

} // namespace

int runTxt2Img(const std::vector<std::string>& args) { return runTask("txt2img", args); }
int runPaint(const std::vector<std::string>& args) { return runTask("paint", args); }
int runUpscale(const std::vector<std::string>& args) { return runTask("upscale", args); }
int runImg2Img(const std::vector<std::string>& args) { return runTask("img2img", args); }
int runInpaint(const std::vector<std::string>& args) { return runTask("inpaint", args); }
int runOutpaint(const std::vector<std::string>& args) { return runTask("outpaint", args); }

} // namespace ldm::cli
