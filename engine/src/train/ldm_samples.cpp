// SPDX-License-Identifier: GPL-3.0-or-later
// LdmTrainer::writeSamples: sample grids from fixed held-out examples and fixed noise seeds,
// drawn with the EMA weights and DDIM, so grids of different steps are directly comparable.
#include "sampling/sampler.h"
#include "train/ae_loss.h"
#include "train/image_metrics.h"
#include "train/ldm_trainer_state.h"
#include "train/run_folder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t GridNoiseSeed = 20240607; // the same x_T in every grid of every run

torch::Tensor catDefined(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.defined() ? torch::cat({a, b}) : torch::Tensor();
}

/// DDIM (η = 0) from fixed noise, with classifier-free guidance against `uncond` when
/// `guidance` differs from 1.
Result<torch::Tensor> sampleLatents(const LdmTrainer::State& s, const LdmCond& cond,
                                    const LdmCond& uncond, double guidance, int64_t count)
{
    auto sampler = makeSampler(SamplerKind::Ddim, *s.schedule, int(s.config.loop.sampleSteps));
    if (!sampler)
        return sampler.error();
    const int64_t side = s.config.data.imageSize / s.firstStage->downFactor();
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(GridNoiseSeed);
    const auto xT = torch::randn({count, s.firstStage->latentChannels(), side, side}, generator,
                                 torch::kFloat32);
    const bool guided = std::abs(guidance - 1.0) > 1e-6;
    const LdmNets& nets = s.ema;
    const bool channelsLast = s.config.loop.channelsLast;
    EpsModel model = [&](const torch::Tensor& x, int64_t t) {
        torch::Tensor input = channelsLast ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
        if (!guided)
            return predictNoise(nets, input, torch::full({count}, t, torch::kLong), cond);
        LdmCond both{catDefined(uncond.tokens, cond.tokens),
                     catDefined(uncond.concat, cond.concat)};
        const auto eps = predictNoise(nets, torch::cat({input, input}),
                                      torch::full({2 * count}, t, torch::kLong), both);
        const auto halves = eps.chunk(2);
        return halves[0] + guidance * (halves[1] - halves[0]);
    };
    NoiseSource noise = [&](int, at::IntArrayRef shape) {
        return torch::randn(shape, generator, torch::kFloat32);
    };
    auto z = (*sampler)->sample(xT, model, noise, {});
    if (!z)
        return makeError(ErrorCode::Internal, "the sampler stopped without a result");
    return *z;
}

std::vector<cv::Mat> decode(const LdmTrainer::State& s, const torch::Tensor& z)
{
    return tensorToCrops(
        s.firstStage->decodeLatent(z.to(torch::kFloat32) / s.scaleFactor).clamp(-1.0, 1.0));
}

std::vector<cv::Mat> mapImages(const torch::Tensor& labels)
{
    std::vector<cv::Mat> out;
    for (int64_t i = 0; i < labels.size(0); ++i) {
        torch::Tensor ids = labels[i].clamp(0, 255).to(torch::kUInt8).contiguous();
        cv::Mat mat(int(ids.size(0)), int(ids.size(1)), CV_8U, ids.data_ptr());
        out.push_back(data::labelsToColor(mat.clone()));
    }
    return out;
}

LdmBatch firstColumns(const LdmBatch& all, int64_t count)
{
    LdmBatch batch;
    batch.images = all.images.slice(0, 0, count);
    if (all.labels.defined())
        batch.labels = all.labels.slice(0, 0, count);
    if (all.lowres.defined())
        batch.lowres = all.lowres.slice(0, 0, count);
    batch.captions.assign(all.captions.begin(),
                          all.captions.begin() + std::min<size_t>(all.captions.size(), count));
    return batch;
}

} // namespace

Result<void> LdmTrainer::writeSamples()
{
    State& s = *m;
    torch::NoGradGuard noGrad;
    const int64_t columns = s.config.loop.sampleColumns;
    const LdmBatch batch = firstColumns(s.heldOut(), columns);
    const LdmNets& ema = s.ema;
    const double guidance = s.config.loop.sampleGuidance;
    const double valLoss = heldOutLoss(2, true); // fp32, before autocast below
    std::vector<std::vector<cv::Mat>> rows;
    std::vector<std::string> labels;
    Bf16AutocastGuard autocast(s.config.loop.bf16);
    auto addRow = [&](const std::string& label, const LdmCond& cond, const LdmCond& uncond,
                      double scale) -> Result<void> {
        auto z = sampleLatents(s, cond, uncond, scale, columns);
        if (!z)
            return z.error();
        rows.push_back(decode(s, *z));
        labels.push_back(label);
        return {};
    };
    if (s.config.isSuperRes()) {
        std::vector<cv::Mat> upscaled;
        for (const cv::Mat& low : tensorToCrops(batch.lowres)) {
            cv::Mat up;
            cv::resize(low, up, cv::Size(low.cols * 4, low.rows * 4), 0, 0, cv::INTER_CUBIC);
            upscaled.push_back(up);
        }
        rows.push_back(upscaled);
        labels.push_back("LR bicubic");
        const LdmCond cond = s.condition(ema, batch, nullptr);
        if (auto ok = addRow("SR", cond, cond, 1.0); !ok)
            return ok;
        rows.push_back(tensorToCrops(batch.images));
        labels.push_back("HR");
    } else {
        rows.push_back(tensorToCrops(batch.images));
        labels.push_back("scene");
        if (s.config.usesMap()) {
            rows.push_back(mapImages(batch.labels));
            labels.push_back("map");
        }
        const LdmCond uncond = s.condition(ema, batch, nullptr, true, true);
        if (s.config.usesMap())
            if (auto ok = addRow("map only", s.condition(ema, batch, nullptr, true, false), uncond,
                                 guidance);
                !ok)
                return ok;
        if (s.config.usesText())
            if (auto ok = addRow("text only", s.condition(ema, batch, nullptr, false, true), uncond,
                                 guidance);
                !ok)
                return ok;
        if (s.config.usesText() && s.config.usesMap())
            if (auto ok = addRow("map + text", s.condition(ema, batch, nullptr), uncond, guidance);
                !ok)
                return ok;
    }
    const cv::Mat grid = makeGrid(rows, labels, s.config.data.imageSize >= 128 ? 1 : 2);
    const fs::path run(s.options.runDir);
    const std::string name = stepName(s.step);
    if (auto ok = writeRgbPng((run / "samples" / (name + ".png")).string(), grid); !ok)
        return ok;
    if (auto ok = writeRgbPng((run / "samples.png").string(), grid); !ok)
        return ok;
    if (!batch.captions.empty()) {
        std::string text;
        for (size_t i = 0; i < batch.captions.size(); ++i)
            text += "column " + std::to_string(i + 1) + ": " + batch.captions[i] + '\n';
        if (auto ok = writeTextFile((run / "samples" / "captions.txt").string(), text); !ok)
            return ok;
    }
    s.history.annotate(s.step, "val_loss", valLoss);
    return s.history.writePlot((run / "loss.png").string(), {"loss"}, "val_loss");
}

} // namespace ldm::train
