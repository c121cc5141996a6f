// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's private state and the pieces the pipelines share.
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "ldm/engine.h"
#include "pipeline/latent_projection.h"
#include "pipeline/noise_generator.h"
#include "sampling/sampler.h"
#include "prompt/bert_tokenizer.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/prompt_weighting.h"
#include "tokenizer/tokenizer.h"
#include "unet/control_net.h"

#include <torch/torch.h>

#include <chrono>
#include <optional>

namespace ldm {

/// The ControlNet last used with a base model, kept for the next request.
struct LoadedControlNet {
    std::string path;
    std::string name; ///< file name without folder
    std::string hash; ///< short sha256 of the file
    ControlNet net{nullptr};
};

/// A loaded model with everything generation needs.
struct LoadedModel {
    LatentDiffusion diffusion;
    ModelInfo info;
    std::optional<Tokenizer> tokenizer;                  ///< our sentencepiece models
    std::optional<prompt::ClipTokenizer> clipTokenizer;  ///< CLIP text encoders (SD-1.x)
    std::optional<prompt::BertTokenizer> bertTokenizer;  ///< CompVis BERTEmbedder models
    LatentProjection projection;
    std::optional<LoadedControlNet> controlNet; ///< checked against this model when loaded
};

/// Reports progress, previews and honours cancellation for one request.
class RequestMonitor {
public:
    RequestMonitor(const GenerateRequest& request, const LoadedModel& model, int totalSteps);

    bool cancelled() const { return m_request.cancel && m_request.cancel->cancelled(); }
    /// After sampler step `done` of `total` (1-based) of the current stage; false = stop.
    bool step(const std::string& stage, const torch::Tensor& x, const torch::Tensor& predX0,
              const std::function<RgbImage(const torch::Tensor&)>& decode);
    /// A stage without steps ("decoding").
    void stage(const std::string& stage);
    double elapsedSeconds() const;

private:
    const GenerateRequest& m_request;
    const LoadedModel& m_model;
    int m_total;
    int m_done = 0;
    std::chrono::steady_clock::time_point m_start;
    std::chrono::steady_clock::time_point m_lastStep;
    double m_recentStepSeconds = -1.0; ///< moving average of the latest steps' durations
};

/// The decoded image of one sampling run and its wall time (sampling + decoding).
struct SampledImage {
    RgbImage image;
    double seconds = 0;
};

/// How an editing run departs from sampling pure noise. Both hooks draw from the request's
/// seeded generator, so an edit replays exactly like a txt2img run.
struct SamplingPlan {
    int firstStep = 0; ///< index into sampler.timesteps() where sampling starts (img2img)
    /// The starting latent from the x_T draw; empty = x_T itself.
    std::function<torch::Tensor(const torch::Tensor& xT, NoiseGenerator& noise)> start;
    /// Rewrites x in place after schedule step `index` (inpainting's known region).
    std::function<void(torch::Tensor& x, int index, NoiseGenerator& noise)> afterStep;
};

/// Draws x_T of `latentShape` from the request's seed, runs `sampler` with progress, previews
/// and cancel checks at every step, then decodes with `decode`. Cancelled when the request's
/// token fires before the image is complete.
Result<SampledImage> sampleAndDecode(const LoadedModel& model, const GenerateRequest& request,
                                     const Sampler& sampler, at::IntArrayRef latentShape,
                                     const EpsModel& eps, torch::Device device,
                                     const std::function<RgbImage(const torch::Tensor&)>& decode,
                                     const SamplingPlan& plan = {});

/// The img2img / inpaint part of a run (edit_pipeline.cpp): how sampling starts and steps, and
/// how the decoded image is finished (the inpainting paste).
struct EditPlan {
    SamplingPlan sampling;
    std::function<RgbImage(RgbImage decoded)> finish;
};
/// True for "img2img", "inpaint" and "outpaint".
bool isEditTask(const std::string& task);
/// Checks the input image (and mask) of an edit request; the image size becomes the output size.
Result<void> validateEdit(const LoadedModel& model, const GenerateRequest& request);
/// The request an edit samples: an outpaint's input grown into its canvas with the new area as
/// the mask (and the rounded growth in its recipe), validated, with the recipe's size set to
/// the input's.
Result<GenerateRequest> prepareEdit(const LoadedModel& model, const GenerateRequest& original);
/// Encodes the input and builds the plan for `sampler` (whose schedule sets the strength's
/// start step). For an inpainting UNet it also fills `concat` with mask + masked-image latent.
Result<EditPlan> planEdit(const LoadedModel& model, const GenerateRequest& request,
                          const Sampler& sampler, torch::Device device, torch::Tensor& concat);
/// True when the UNet is an inpainting one (LdmConfig::inpaint: mask and masked-image latent
/// concatenated to x_t), so inpainting runs through the model rather than re-noise-and-paste.
bool isInpaintingModel(const LatentDiffusion& diffusion);

/// The prompt and negative prompt of a request as cross-attention contexts of equal length.
struct EncodedPrompts {
    torch::Tensor cond, uncond;
    std::vector<std::string> warnings; ///< truncation, unbalanced brackets, ...
    std::string tiHashes; ///< A1111 "TI hashes" of the embeddings the prompts named
};
/// Text → contexts through the model's tokenizer and text encoder (prompt_encoding.cpp);
/// CLIP and OpenCLIP prompts may name the textual-inversion embeddings of `embeddingsDir`.
Result<EncodedPrompts> encodePrompts(const LoadedModel& model, const Recipe& recipe,
                                     torch::Device device, const std::string& embeddingsDir = {});

/// Runs task "txt2img" or "paint".
Result<GenerateResult> generateFromNoise(const LoadedModel& model, const GenerateRequest& request,
                                         torch::Device device);
/// Runs task "upscale" (tiled).
Result<GenerateResult> generateUpscale(const LoadedModel& model, const GenerateRequest& request,
                                       torch::Device device);

} // namespace ldm
