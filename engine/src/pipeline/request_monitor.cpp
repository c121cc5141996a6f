// SPDX-License-Identifier: GPL-3.0-or-later
// Progress, previews and cancellation of one request, and the sampling loop every pipeline
// shares around them.
#include "pipeline/request_monitor.h"

#include "pipeline/cpu_share.h"
#include "pipeline/noise_generator.h"

namespace ldm {

RequestMonitor::RequestMonitor(const GenerateRequest& request, const LoadedModel& model,
                               int totalSteps)
    : m_request(request)
    , m_model(model)
    , m_total(totalSteps)
    , m_start(std::chrono::steady_clock::now())
    , m_lastStep(m_start)
{
    CpuShare::adjust();
}

double RequestMonitor::elapsedSeconds() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

bool RequestMonitor::step(const std::string& stage, const torch::Tensor& x,
                          const torch::Tensor& predX0,
                          const std::function<RgbImage(const torch::Tensor&)>& decode)
{
    ++m_done;
    // The ETA follows the latest steps, not the mean since the start: the first step carries
    // warm-up (allocations, oneDNN kernel selection) and the machine's load changes while a
    // job runs. The weight 0.3 settles within a few steps and smooths single slow ones.
    const auto now = std::chrono::steady_clock::now();
    const double stepSeconds = std::chrono::duration<double>(now - m_lastStep).count();
    m_lastStep = now;
    CpuShare::adjust(); // threads for the next step, by what else runs now
    m_recentStepSeconds = m_recentStepSeconds < 0.0
                              ? stepSeconds
                              : 0.7 * m_recentStepSeconds + 0.3 * stepSeconds;
    if (m_request.onProgress) {
        ProgressInfo info;
        info.stage = stage;
        info.step = m_done;
        info.total = m_total;
        info.elapsedSeconds = elapsedSeconds();
        info.etaSeconds = m_recentStepSeconds * (m_total - m_done);
        m_request.onProgress(info);
    }
    const int interval = std::max(1, m_request.previewInterval);
    if (m_request.onPreview && m_request.previewMode != PreviewMode::None &&
        (m_done % interval == 0 || m_done == m_total) && !cancelled()) {
        const torch::Tensor& latent = m_request.previewPredictedX0 ? predX0 : x;
        PreviewFrame frame;
        frame.step = m_done;
        frame.total = m_total;
        frame.predictedX0 = m_request.previewPredictedX0;
        frame.image = m_request.previewMode == PreviewMode::FullDecode || !m_model.projection.valid()
                          ? decode(latent)
                          : m_model.projection.apply(latent);
        m_request.onPreview(frame);
    }
    return !cancelled();
}

void RequestMonitor::stage(const std::string& stage)
{
    if (!m_request.onProgress)
        return;
    ProgressInfo info;
    info.stage = stage;
    info.step = m_done;
    info.total = m_total;
    info.elapsedSeconds = elapsedSeconds();
    m_request.onProgress(info);
}

Result<SampledImage> sampleAndDecode(const LoadedModel& model, const GenerateRequest& request,
                                     const Sampler& sampler, at::IntArrayRef latentShape,
                                     const EpsModel& eps, torch::Device device,
                                     const std::function<RgbImage(const torch::Tensor&)>& decode,
                                     const SamplingPlan& plan)
{
    // x_T and every later draw come from the CPU generator, so the seed gives the same image
    // on every device and thread count.
    const Recipe& recipe = request.recipe;
    NoiseGenerator noise(recipe.seed, parseNoiseKind(recipe.rng).value_or(NoiseKind::Ours),
                         recipe.etaNoiseSeedDelta);
    // Edits draw x_T too, so strength 1 is txt2img from the same seed.
    torch::Tensor xT = noise.normal(latentShape);
    if (recipe.variationStrength != 0.0) {
        // A1111's variation seed: its own first draw, the seed's generator left as it was.
        NoiseGenerator variation(recipe.variationSeed, parseNoiseKind(recipe.rng).value_or(NoiseKind::Ours));
        xT = slerpNoise(recipe.variationStrength, xT, variation.normal(latentShape));
    }
    xT = xT.to(device);
    if (plan.start)
        xT = plan.start(xT, noise);
    const int total = int(sampler.timesteps().size());
    RequestMonitor monitor(request, model, std::max(0, total - plan.firstStep));
    auto latent = sampler.sample(
        xT, eps, [&](int, at::IntArrayRef shape) { return noise.normal(shape).to(device); },
        [&](const SamplerStep& step) {
            if (plan.afterStep) {
                torch::Tensor x = step.x; // shares storage: the sampler continues from the edit
                plan.afterStep(x, step.step, noise);
            }
            return monitor.step("sampling", step.x, step.predX0, decode);
        },
        plan.firstStep);
    if (!latent || monitor.cancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    monitor.stage("decoding");
    SampledImage out;
    CpuShare::adjust();
    out.image = decode(*latent);
    // A cancel during decoding still wins: no image is returned that the user stopped.
    if (monitor.cancelled())
        return makeError(ErrorCode::Cancelled, "cancelled");
    out.seconds = monitor.elapsedSeconds();
    return out;
}

} // namespace ldm
