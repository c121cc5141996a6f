// SPDX-License-Identifier: GPL-3.0-or-later
// LdmTrainer: one training step, the conditioning of a batch, held-out loss and UNet timing.
#include "train/ae_loss.h"
#include "train/ldm_trainer_state.h"

#include "pipeline/cpu_share.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>

namespace ldm::train {
namespace {

// Streams of mixSeed(seed, step, stream) for the per-step draws.
constexpr uint64_t DropoutDraws = 21;
constexpr uint64_t NoiseDraws = 22;
constexpr uint64_t HeldOutNoise = 23;

at::Generator seededGenerator(uint64_t seed)
{
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    return generator;
}

} // namespace

torch::Tensor LdmTrainer::State::tokensFor(const std::vector<std::string>& captions) const
{
    const int64_t length = model.text->maxSeqLen;
    std::vector<int64_t> ids;
    ids.reserve(captions.size() * size_t(length));
    for (const auto& caption : captions) {
        auto encoded = tokenizer->encode(caption, length);
        if (int64_t(encoded.size()) != length) // sentencepiece failed on the text: treat as ""
            encoded = tokenizer->encode("", length);
        if (int64_t(encoded.size()) != length)
            encoded.assign(size_t(length), Tokenizer::PadId);
        ids.insert(ids.end(), encoded.begin(), encoded.end());
    }
    return torch::tensor(ids, torch::kLong).view({int64_t(captions.size()), length});
}

LdmCond LdmTrainer::State::condition(const LdmNets& networks, const LdmBatch& batch,
                                     TrainRng* dropout, bool dropText, bool dropMap) const
{
    LdmCond cond;
    const int64_t count = batch.images.size(0);
    std::vector<bool> textDropped(size_t(count), dropText), mapDropped(size_t(count), dropMap);
    std::vector<bool> mapPartial(size_t(count), false);
    if (dropout)
        for (size_t i = 0; i < size_t(count); ++i) {
            // Always three draws per sample so one condition's chance never shifts the other's.
            const bool t = dropout->chance(config.dropout.text);
            const bool mFull = dropout->chance(config.dropout.map);
            const bool mPart = dropout->chance(config.dropout.mapPartial);
            textDropped[i] = textDropped[i] || (config.usesText() && t);
            mapDropped[i] = mapDropped[i] || (config.usesMap() && mFull);
            mapPartial[i] = config.usesMap() && !mapDropped[i] && mPart;
        }
    if (config.usesText()) {
        std::vector<std::string> captions = batch.captions;
        captions.resize(size_t(count));
        for (size_t i = 0; i < captions.size(); ++i)
            if (textDropped[i])
                captions[i].clear();
        cond.tokens = tokensFor(captions);
    }
    if (config.usesMap()) {
        torch::Tensor labels = batch.labels.clone();
        for (int64_t i = 0; i < count; ++i) {
            if (mapDropped[size_t(i)])
                labels[i].fill_(UnknownClass);
            else if (mapPartial[size_t(i)])
                eraseRandomRectangle(labels[i], *dropout);
        }
        cond.concat = mapConcat(networks, oneHotMap(labels, int64_t(model.classes.size())));
    } else if (config.isSuperRes()) {
        cond.concat = batch.lowres;
    }
    return cond;
}

torch::Tensor LdmTrainer::State::encode(const torch::Tensor& images, at::Generator& generator) const
{
    torch::NoGradGuard noGrad;
    return firstStage->encodeLatent(images, generator) * scaleFactor;
}

const LdmBatch& LdmTrainer::State::heldOut()
{
    if (!heldOutBatch)
        heldOutBatch = data->heldOut(std::max(config.loop.sampleColumns, config.loop.batchSize));
    return *heldOutBatch;
}

LdmBatch LdmTrainer::State::batchOf(int64_t s)
{
    if (!options.prefetch)
        return data->trainBatch(s);
    if (!prefetcher)
        prefetcher = std::make_unique<BatchPrefetcher<LdmBatch>>(
            [this](int64_t at) { return data->trainBatch(at); });
    return prefetcher->take(s);
}

Result<void> LdmTrainer::step()
{
    const auto& loop = m->config.loop;
    if (m->options.adaptiveThreads)
        CpuShare::adjust(); // fewer threads while a build holds a core
    StepPhases phases;
    PhaseClock clock;
    const LdmBatch batch = m->batchOf(m->step);
    phases.data = clock.lap();
    TrainRng dropout(mixSeed(loop.seed, uint64_t(m->step), DropoutDraws));
    at::Generator generator = seededGenerator(mixSeed(loop.seed, uint64_t(m->step), NoiseDraws));
    torch::Tensor z = m->encode(batch.images, generator);
    const int64_t count = z.size(0);
    const auto t = torch::randint(0, m->schedule->timesteps(), {count}, generator,
                                  torch::TensorOptions().dtype(torch::kLong));
    const auto noise = torch::randn(z.sizes(), generator, torch::kFloat32);
    auto zt = m->sqrtAlphaBar.index({t}).view({-1, 1, 1, 1}) * z +
              m->sqrtOneMinusAlphaBar.index({t}).view({-1, 1, 1, 1}) * noise;
    if (loop.channelsLast)
        zt = zt.contiguous(at::MemoryFormat::ChannelsLast);
    const LdmCond cond = m->condition(m->nets, batch, &dropout);
    torch::Tensor eps;
    {
        Bf16AutocastGuard autocast(loop.bf16);
        eps = predictNoise(m->nets, zt, t, cond);
    }
    phases.forward = clock.lap();
    const auto loss = torch::mse_loss(eps, noise);
    const double value = loss.item<double>();
    phases.loss = clock.lap();
    if (!std::isfinite(value))
        return makeError(ErrorCode::InvalidRequest, "the loss is not finite at step " +
                                                        std::to_string(m->step) +
                                                        " (lower optimizer.lr or set grad_clip)");
    const double lr = m->lrAt(m->step);
    for (auto& group : m->optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    m->optimizer->zero_grad();
    loss.backward();
    phases.backward = clock.lap();
    if (m->config.optim.gradClip > 0)
        torch::nn::utils::clip_grad_norm_(m->nets.parameters(), m->config.optim.gradClip);
    m->optimizer->step();
    phases.optimizer = clock.lap();
    if (loop.emaDecay > 0) {
        // LitEma's warm-up: early averages would otherwise remember the random init for long.
        const double decay = std::min(loop.emaDecay, double(1 + m->step) / double(10 + m->step));
        m->nets.blendInto(m->ema, decay);
    } else {
        m->ema.copyFrom(m->nets);
    }
    ++m->step;
    m->window.add({{"loss", value}, {"lr", lr}});
    phases.ema = clock.lap();
    m->lastPhases = phases;
    return {};
}

Result<StepProfile> LdmTrainer::profile(int64_t steps)
{
    const auto& loop = m->config.loop;
    StepProfile profile = profileOf("latent diffusion", loop, m->config.data.imageSize,
                                    m->options.prefetch, steps);
    if (auto ok = timeSteps(profile, [this] { return step(); }, [this] { return m->lastPhases; });
        !ok)
        return ok.error();
    {
        torch::NoGradGuard noGrad;
        const LdmBatch& all = m->heldOut();
        LdmBatch batch;
        const int64_t size = std::min<int64_t>(loop.batchSize, all.images.size(0));
        batch.images = all.images.slice(0, 0, size);
        if (all.labels.defined())
            batch.labels = all.labels.slice(0, 0, size);
        if (all.lowres.defined())
            batch.lowres = all.lowres.slice(0, 0, size);
        batch.captions.assign(all.captions.begin(),
                              all.captions.begin() + std::min<size_t>(all.captions.size(), size));
        at::Generator generator = seededGenerator(loop.seed);
        torch::Tensor z;
        profile.frozenForwardFlops =
            countForwardFlops([&] { z = m->encode(batch.images, generator); });
        const auto t = torch::full({size}, m->schedule->timesteps() / 2, torch::kLong);
        const LdmCond cond = m->condition(m->nets, batch, nullptr);
        profile.trainedForwardFlops =
            countForwardFlops([&] { predictNoise(m->nets, z, t, cond); });
    }
    Result<void> stepped;
    auto ops = profileOps([&] { stepped = step(); });
    if (!ops)
        return ops.error();
    if (!stepped)
        return stepped.error();
    profile.ops = std::move(ops.value());
    return profile;
}

double LdmTrainer::heldOutLoss(int64_t batches, bool ema)
{
    const LdmNets& nets = ema ? m->ema : m->nets;
    torch::NoGradGuard noGrad;
    const bool wasTraining = nets.unet->is_training();
    const_cast<LdmNets&>(nets).setTraining(false);
    const LdmBatch& all = m->heldOut();
    const int64_t size = std::min<int64_t>(m->config.loop.batchSize, all.images.size(0));
    LdmBatch batch;
    batch.images = all.images.slice(0, 0, size);
    if (all.labels.defined())
        batch.labels = all.labels.slice(0, 0, size);
    if (all.lowres.defined())
        batch.lowres = all.lowres.slice(0, 0, size);
    batch.captions.assign(all.captions.begin(),
                          all.captions.begin() + std::min<size_t>(all.captions.size(), size));
    double total = 0;
    for (int64_t b = 0; b < batches; ++b) {
        at::Generator generator =
            seededGenerator(mixSeed(m->config.loop.seed, uint64_t(b), HeldOutNoise));
        const auto z = m->encode(batch.images, generator);
        // Timesteps spread evenly over the schedule, so the number is comparable between calls.
        const int64_t T = m->schedule->timesteps();
        std::vector<int64_t> steps;
        for (int64_t i = 0; i < size; ++i)
            steps.push_back((i * T + b * 37) / size % T);
        const auto t = torch::tensor(steps, torch::kLong);
        const auto noise = torch::randn(z.sizes(), generator, torch::kFloat32);
        const auto zt = m->sqrtAlphaBar.index({t}).view({-1, 1, 1, 1}) * z +
                        m->sqrtOneMinusAlphaBar.index({t}).view({-1, 1, 1, 1}) * noise;
        const LdmCond cond = m->condition(nets, batch, nullptr);
        total += torch::mse_loss(predictNoise(nets, zt, t, cond), noise).item<double>();
    }
    const_cast<LdmNets&>(nets).setTraining(wasTraining);
    return total / double(std::max<int64_t>(1, batches));
}

UNetTiming LdmTrainer::timeUNet(int64_t latentSize, int64_t batch, int repeats)
{
    UNetTiming timing;
    timing.latentSize = latentSize;
    timing.batch = batch;
    c10::InferenceMode guard;
    const UNetConfig& u = *m->model.unet;
    auto x = torch::randn({batch, u.inChannels, latentSize, latentSize});
    if (m->config.loop.channelsLast)
        x = x.contiguous(at::MemoryFormat::ChannelsLast);
    const auto t = torch::full({batch}, 500, torch::kLong);
    torch::Tensor context;
    if (u.contextDim)
        context = torch::randn({batch, m->model.text->maxSeqLen, *u.contextDim});
    for (bool bf16 : {false, true}) {
        Bf16AutocastGuard autocast(bf16);
        double best = 1e30;
        for (int r = 0; r <= repeats; ++r) { // the first call warms up
            const auto start = std::chrono::steady_clock::now();
            m->ema.unet->forward(x, t, context);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (r > 0)
                best = std::min(best, seconds);
        }
        (bf16 ? timing.bf16 : timing.fp32) = best;
    }
    return timing;
}

} // namespace ldm::train
