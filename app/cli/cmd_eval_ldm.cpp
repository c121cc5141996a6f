// SPDX-License-Identifier: GPL-3.0-or-later
// `eval-ldm`: how well a landscape model follows its map and its caption on procedural scenes
// it never saw, scored by a pixel classifier fitted on other renders (train/map_adherence.h).
#include "cli_options.h"
#include "commands.h"
#include "data/landscape_generator.h"
#include "ldm/engine.h"
#include "train/image_metrics.h"
#include "train/map_adherence.h"

#include <chrono>
#include <cstdio>

namespace ldm::cli {
namespace {

const std::vector<OptionSpec> EvalLdmOptions = {
    {"model", "NAME|PATH", "landscape model (map + text)", "landscape"},
    {"count", "N", "held-out scenes", "16"},
    {"size", "PX", "image side", "128"},
    {"sampler", "NAME", "ddim, plms, ddpm or dpmpp2m", "dpmpp2m"},
    {"steps", "N", "sampler steps", "20"},
    {"scale", "X", "classifier-free guidance scale", "3"},
    {"threads", "N", "CPU threads", "all cores"},
    {"grid", "FILE.png", "also write the scenes, maps and samples as a grid", ""},
};

// Scene seeds far from the trainer's hashed streams: the fit and test scenes are new scenes.
constexpr uint64_t FitSeedBase = 0xF17000000ull;
constexpr uint64_t TestSeedBase = 0xE7A1000000ull;
constexpr int FitScenes = 48;

cv::Mat toMat(const RgbImage& image)
{
    return cv::Mat(image.height, image.width, CV_8UC3,
                   const_cast<uint8_t*>(image.pixels.data())).clone();
}

struct Condition {
    const char* name;
    bool map;
    bool caption;
};

} // namespace

int runEvalLdm(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, EvalLdmOptions);
    if (options.helpRequested()) {
        printHelp("eval-ldm", "[options]",
                  "Generates held-out procedural scenes from their map and caption (together and "
                  "alone) and prints pixel accuracy and mean IoU of a colour classifier's labels "
                  "against the map, between the classifier's ceiling (real renders) and floor "
                  "(another scene's map).",
                  EvalLdmOptions);
        return ExitOk;
    }
    const int count = int(options.integer("count", 16, 1, 10000));
    const int size = int(options.integer("size", 128, 32, 2048));
    const int steps = int(options.integer("steps", 20, 1, 1000));
    const double scale = options.number("scale", 3.0, 0.0, 50.0);
    const int threads = int(options.integer("threads", 0, 0, 256));
    if (auto exit = usageError(options, "eval-ldm", 0, "takes no file arguments"))
        return *exit;
    EngineOptions engineOptions;
    engineOptions.threads = threads;
    auto engine = Engine::create(engineOptions);
    if (!engine) {
        std::fprintf(stderr, "eval-ldm: %s\n", engine.error().message.c_str());
        return ExitFailure;
    }
    auto info = (*engine)->loadModel(options.text("model", "landscape"));
    if (!info) {
        std::fprintf(stderr, "eval-ldm: %s\n", info.error().message.c_str());
        return ExitFailure;
    }
    if (!info->takesMap || !info->takesText || info->classes.size() != train::AdherenceClasses) {
        std::fprintf(stderr, "eval-ldm: %s is not a landscape model (map of %d classes + text)\n",
                     info->name.c_str(), train::AdherenceClasses);
        return ExitFailure;
    }

    const data::LandscapeGenerator world;
    std::vector<cv::Mat> fitImages, fitLabels;
    for (int i = 0; i < FitScenes; ++i) {
        data::LandscapeSample s = world.generate(FitSeedBase + uint64_t(i), size, size);
        fitImages.push_back(s.image);
        fitLabels.push_back(s.labels);
    }
    const auto classifier = train::PixelClassClassifier::fit(fitImages, fitLabels);

    const Condition conditions[] = {
        {"map + caption", true, true}, {"map only", true, false}, {"caption only", false, true}};
    train::AdherenceScore ceiling, floor, scores[3];
    double seconds[3] = {0, 0, 0};
    std::vector<std::vector<cv::Mat>> gridRows(5);
    std::vector<data::LandscapeSample> scenes;
    for (int i = 0; i < count; ++i)
        scenes.push_back(world.generate(TestSeedBase + uint64_t(i), size, size));
    for (int i = 0; i < count; ++i) {
        const data::LandscapeSample& scene = scenes[size_t(i)];
        ceiling.add(classifier.classify(scene.image), scene.labels);
        floor.add(classifier.classify(scene.image), scenes[size_t((i + 1) % count)].labels);
        gridRows[0].push_back(scene.image);
        gridRows[1].push_back(data::labelsToColor(scene.labels));
        for (int c = 0; c < 3; ++c) {
            GenerateRequest request;
            request.recipe.task = conditions[c].map ? "paint" : "txt2img";
            request.recipe.prompt = conditions[c].caption ? scene.caption : "";
            request.recipe.sampler = options.text("sampler", "dpmpp2m");
            request.recipe.steps = steps;
            request.recipe.guidanceScale = scale;
            request.recipe.seed = uint64_t(1000 + i);
            request.recipe.width = size;
            request.recipe.height = size;
            if (conditions[c].map)
                request.map = LabelMap{size, size, std::vector<uint8_t>(scene.labels.datastart,
                                                                        scene.labels.dataend)};
            const auto started = std::chrono::steady_clock::now();
            auto result = (*engine)->generate(request);
            if (!result) {
                std::fprintf(stderr, "eval-ldm: %s\n", result.error().message.c_str());
                return ExitFailure;
            }
            seconds[c] +=
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const cv::Mat generated = toMat(result->image);
            scores[c].add(classifier.classify(generated), scene.labels);
            gridRows[size_t(2 + c)].push_back(generated);
        }
        std::fprintf(stderr, "\reval-ldm: scene %d of %d", i + 1, count);
    }
    std::fprintf(stderr, "\n");
    std::printf("model: %s, %d held-out scenes at %dx%d, %s %d steps, scale %.1f\n",
                info->name.c_str(), count, size, size, options.text("sampler", "dpmpp2m").c_str(),
                steps, scale);
    std::printf("\n  %-40s %9s %9s %9s\n", "labels of a colour classifier vs the map", "pixel acc",
                "mean IoU", "s/image");
    std::printf("  %-40s %9.3f %9.3f %9s\n", "real renders (classifier ceiling)",
                ceiling.pixelAccuracy(), ceiling.meanIoU(), "-");
    for (int c = 0; c < 3; ++c)
        std::printf("  %-40s %9.3f %9.3f %9.2f\n", conditions[c].name, scores[c].pixelAccuracy(),
                    scores[c].meanIoU(), seconds[c] / count);
    std::printf("  %-40s %9.3f %9.3f %9s\n", "real render vs another scene's map (floor)",
                floor.pixelAccuracy(), floor.meanIoU(), "-");
    if (options.has("grid")) {
        const cv::Mat grid = train::makeGrid(
            gridRows, {"scene", "map", "map+text", "map only", "text only"}, 1);
        if (auto ok = train::writeRgbPng(options.text("grid"), grid); !ok) {
            std::fprintf(stderr, "eval-ldm: %s\n", ok.error().message.c_str());
            return ExitFailure;
        }
    }
    return ExitOk;
}

} // namespace ldm::cli
