// SPDX-License-Identifier: GPL-3.0-or-later
// Latent Canvas engine: the public, Qt-free and torch-free face of the latent diffusion
// pipelines (text → image, semantic map → image, low-res image → 4x image).
//
// Usage:
//     auto engine = ldm::Engine::create({});                  // picks CUDA when present
//     auto info = (*engine)->loadModel("landscape");          // shipped name or a file path
//     ldm::GenerateRequest request;
//     request.recipe.task = "txt2img";
//     request.recipe.prompt = "snowy mountains above a lake";
//     request.recipe.seed = 42;
//     request.onPreview = [](const ldm::PreviewFrame& frame) { show(frame.image); };
//     request.cancel = std::make_shared<ldm::CancelToken>();
//     auto result = (*engine)->generate(request);             // blocks; callbacks on this thread
//     if (!result && result.error().code == ldm::ErrorCode::Cancelled) { ... }
//
// Thread safety: an Engine belongs to one thread at a time (the app's engine thread). Only
// CancelToken::cancel() may be called from other threads. Requests carry their own callbacks
// and cancel token; nothing is global.
#pragma once

#include "ldm/recipe.h"
#include "ldm/result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ldm {

/// 8-bit RGB pixels, rows top to bottom, 3 bytes per pixel, no padding.
struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;
    bool empty() const { return width <= 0 || height <= 0; }
};

/// One class id per pixel (semantic map), rows top to bottom.
struct LabelMap {
    int width = 0;
    int height = 0;
    std::vector<uint8_t> ids;
    bool empty() const { return width <= 0 || height <= 0; }
};

/// Set from any thread to stop a running request within one sampler step.
class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

/// How intermediate images are made.
enum class PreviewMode {
    None,             ///< no previews
    LatentProjection, ///< cheap per-model linear latent → RGB map (milliseconds)
    FullDecode,       ///< the real decoder (slow, exact)
};

/// An intermediate image of a running request.
struct PreviewFrame {
    int step = 0;           ///< steps finished (1-based)
    int total = 0;
    bool predictedX0 = true;///< the predicted clean image rather than the noisy latent
    RgbImage image;
};

/// Where a running request stands.
struct ProgressInfo {
    std::string stage;      ///< "encoding", "sampling", "decoding", "tile 3/8"
    int step = 0;           ///< steps finished over all tiles
    int total = 0;
    double elapsedSeconds = 0;
    double etaSeconds = 0;  ///< estimate of the time left
};

/// A ControlNet steering a "txt2img" or "paint" request on a Stable Diffusion model (lllyasviel's
/// layout: control_*.pth / .safetensors, trained for the base's family). Its strength, step range
/// and guess mode are recipe settings (Recipe::control); the engine fills in its name and hash.
struct ControlRequest {
    std::string path; ///< the ControlNet file; empty = none
    /// The control map (a segmentation in the ControlNet's colours, edges, depth, ...) as RGB;
    /// resized (nearest neighbour) to the output size.
    RgbImage hint;
};

/// One generation: the recipe says what to make; inputs and callbacks ride along.
struct GenerateRequest {
    Recipe recipe;          ///< task, prompt, sampler, steps, scale, eta, seed, size, precision
    LabelMap map;           ///< task "paint": class ids, size = recipe width × height
    /// "upscale": the low-res image; "img2img", "inpaint": the image to edit; "outpaint": the
    /// image to extend by recipe.growth (its new area is generated, every input pixel kept).
    RgbImage input;
    /// Task "inpaint": same size as `input`; a pixel whose channel mean is above 127 (white) is
    /// generated anew. Black pixels are kept exactly; a grey (feathered) mask is also the blend
    /// weight of the new picture over the input, level/255, so its soft edge shows in the result.
    RgbImage mask;
    ControlRequest control; ///< "txt2img", "paint": an optional ControlNet and its hint
    /// Folder where the prompt's `<lora:name:weight>` tags find name.safetensors (A1111's Lora
    /// folder, searched with its subfolders); empty = none, and a prompt naming a LoRA fails.
    std::string loraDir;
    /// Folder of textual-inversion embeddings (A1111's `embeddings`, searched with its
    /// subfolders): a word of a CLIP model's prompt equal to a file's name (without extension)
    /// stands for its vectors, and the result's recipe lists them ("TI hashes"). Empty = none.
    std::string embeddingsDir;
    PreviewMode previewMode = PreviewMode::LatentProjection;
    int previewInterval = 1;        ///< a preview every N steps
    bool previewPredictedX0 = true; ///< preview x̂0 (true) or the noisy x_t (false)
    std::function<void(const PreviewFrame&)> onPreview;
    std::function<void(const ProgressInfo&)> onProgress;
    std::shared_ptr<CancelToken> cancel;
};

/// The finished image and the recipe that reproduces it (hashes and version filled in).
struct GenerateResult {
    RgbImage image;
    Recipe recipe;
    double seconds = 0;
    std::vector<std::string> warnings; ///< e.g. a prompt truncated to the token limit
};

/// A semantic class a model understands.
struct ClassInfo {
    int id = 0;
    std::string name;
    std::string color; ///< "#rrggbb"
};

/// What the loaded model can do.
struct ModelInfo {
    std::string name;          ///< shipped name or file name
    std::string path;
    std::string hash;          ///< short sha256 of the file (A1111 "Model hash")
    std::string description;   ///< kind, multi-line details (as `inspect` prints)
    std::string family;        ///< "Stable Diffusion 1.x", "LDM super-resolution", ...
    std::string configPath;    ///< the config.yaml used, "" when none
    int clipLayers = 0;        ///< layers of a CLIP text encoder (CLIP skip 1..this); 0 = none
    std::string prediction = "eps"; ///< what the UNet predicts: "eps" or "v"
    std::string weights = "raw";    ///< UNet weights that sample: "ema" (model_ema.*) or "raw"
    std::string weightsReason;      ///< why those weights (e.g. "the config sets use_ema: False")
    SamplingDefaults releaseDefaults; ///< how the model's own release samples (may be unknown)
    /// "txt2img", "paint", "upscale", "img2img", "inpaint", "outpaint"
    std::vector<std::string> tasks;
    int latentFactor = 8;      ///< image size / latent size; sizes must be multiples of it
    int trainedSize = 256;     ///< image size it was trained at
    bool takesText = false;
    bool takesMap = false;
    /// SD x4 upscaler: the noise levels it takes (0 .. maxNoiseLevel) and the reference's
    /// default; -1 for models without noise augmentation.
    int maxNoiseLevel = -1;
    int defaultNoiseLevel = -1;
    std::vector<ClassInfo> classes; ///< for map models
};

/// Engine-wide settings.
struct EngineOptions {
    int threads = 0;           ///< CPU threads; 0 = all cores
    std::string device = "auto"; ///< "auto", "cpu" or "cuda"
    std::string modelDir;      ///< shipped models; empty = found beside the executable
};

/// The generator. See the walkthrough at the top of this file.
class Engine {
public:
    /// Chooses the device (CUDA when available and asked for) and the thread count.
    static Result<std::unique_ptr<Engine>> create(const EngineOptions& options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// "CPU (2 threads)" or "CUDA: <device name>" ("CUDA device 0" when the CUDA driver gives
    /// no name).
    std::string deviceName() const;
    /// Names of the shipped models found in the model folder.
    std::vector<std::string> shippedModels() const;
    /// The shipped model used by default for a task ("txt2img", "paint", "upscale").
    std::string defaultModelFor(const std::string& task) const;
    /// Loads a model by shipped name or by path (safetensors; optional CompVis config.yaml).
    /// The previous model stays loaded when this fails.
    /// `prediction` ("eps" | "v") overrides what the config says the UNet predicts (SD-2.x
    /// 768-v and 512-base files look the same); empty keeps the config's or family default.
    /// `weights` ("ema" | "raw") picks the UNet weights that sample, overriding the config's
    /// `use_ema` and the family's convention; empty: decided as `inspect` reports it.
    Result<ModelInfo> loadModel(const std::string& nameOrPath, const std::string& configYaml = {},
                                const std::string& prediction = {},
                                const std::string& weights = {});
    /// The loaded model, or InvalidRequest when none is.
    Result<ModelInfo> modelInfo() const;
    /// Sets the CPU thread count (0 = all cores).
    void setThreads(int threads);
    /// Runs one request on the calling thread. Returns Cancelled when the token was set.
    Result<GenerateResult> generate(const GenerateRequest& request);

private:
    Engine();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// The engine's version string ("latent-canvas 0.1.0").
std::string engineVersion();

} // namespace ldm
