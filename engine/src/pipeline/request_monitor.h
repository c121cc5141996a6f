// SPDX-License-Identifier: GPL-3.0-or-later
// Progress, previews and cancellation of one request, and the sampling loop every pipeline
// shares around them (request_monitor.cpp).
#pragma once

#include "pipeline/engine_state.h"
#include "pipeline/noise_generator.h"
#include "sampling/sampler.h"

#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <string>

namespace ldm {

/// Reports progress, previews and honours cancellation for one request.
class RequestMonitor
{
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
struct SampledImage
{
    RgbImage image;
    double seconds = 0;
};

/// How an editing run departs from sampling pure noise. Both hooks draw from the request's
/// seeded generator, so an edit replays exactly like a txt2img run.
struct SamplingPlan
{
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

} // namespace ldm
