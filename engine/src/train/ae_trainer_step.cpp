// SPDX-License-Identifier: GPL-3.0-or-later
// AeTrainer: one training step, its batch and its profile.
#include "train/ae_loss.h"
#include "train/ae_trainer_state.h"

#include "pipeline/cpu_share.h"

#include <cmath>

namespace ldm::train {

torch::Tensor AeTrainer::State::batchOf(int64_t s)
{
    const auto& loop = config.loop;
    auto make = [this, &loop](int64_t at) {
        TrainRng rng(mixSeed(loop.seed, uint64_t(at), 1));
        return data->trainBatch(loop.batchSize, rng, at, loop.channelsLast);
    };
    if (!options.prefetch)
        return make(s);
    if (!prefetcher)
        prefetcher = std::make_unique<BatchPrefetcher<torch::Tensor>>(make);
    return prefetcher->take(s);
}

Result<void> AeTrainer::step()
{
    const auto& loop = m->config.loop;
    if (m->options.adaptiveThreads)
        CpuShare::adjust(); // fewer threads while a build holds a core
    StepPhases phases;
    PhaseClock clock;
    const torch::Tensor x = m->batchOf(m->step);
    phases.data = clock.lap();
    m->noise.set_current_seed(mixSeed(loop.seed, uint64_t(m->step), 2));
    auto model = m->stage->kl();
    Posterior posterior;
    torch::Tensor recon;
    {
        Bf16AutocastGuard autocast(loop.bf16);
        posterior = model->encode(x);
        const auto noise = torch::randn(posterior.mean.sizes(), m->noise, torch::kFloat32);
        recon = model->decode(posterior.sample(noise));
    }
    phases.forward = clock.lap();
    const AeLossParts parts = aeLoss(x, recon, posterior, m->config.loss);
    const double total = parts.total.item<double>();
    phases.loss = clock.lap();
    if (!std::isfinite(total))
        return makeError(ErrorCode::InvalidRequest, "the loss is not finite at step " +
                                                        std::to_string(m->step) +
                                                        " (lower optimizer.lr or set grad_clip)");
    const double lr = m->lrAt(m->step);
    for (auto& group : m->optimizer->param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    m->optimizer->zero_grad();
    parts.total.backward();
    phases.backward = clock.lap();
    if (m->config.optim.gradClip > 0)
        torch::nn::utils::clip_grad_norm_(m->stage->module().parameters(),
                                          m->config.optim.gradClip);
    m->optimizer->step();
    phases.optimizer = clock.lap();
    if (loop.emaDecay > 0) {
        // LitEma's warm-up: early averages would otherwise remember the random init for long.
        const double decay = std::min(loop.emaDecay, double(1 + m->step) / double(10 + m->step));
        torch::NoGradGuard noGrad;
        auto source = m->stage->module().parameters();
        auto target = m->ema->module().parameters();
        for (size_t i = 0; i < source.size(); ++i)
            target[i].mul_(decay).add_(source[i].detach(), 1.0 - decay);
    }
    ++m->step;
    m->window.add({{"loss", total},
                   {"l1", parts.l1.item<double>()},
                   {"edge", parts.edge.item<double>()},
                   {"kl", parts.kl.item<double>()},
                   {"lr", lr}});
    phases.ema = clock.lap();
    m->lastPhases = phases;
    return {};
}

Result<StepProfile> AeTrainer::profile(int64_t steps)
{
    StepProfile profile = profileOf("autoencoder", m->config.loop, m->config.data.cropSize,
                                    m->options.prefetch, steps);
    if (auto ok = timeSteps(profile, [this] { return step(); }, [this] { return m->lastPhases; });
        !ok)
        return ok.error();
    {
        torch::NoGradGuard noGrad;
        auto model = m->stage->kl();
        const auto x = torch::zeros({profile.batch, 3, profile.side, profile.side});
        profile.trainedForwardFlops =
            countForwardFlops([&] { model->decode(model->encode(x).mean); });
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

} // namespace ldm::train
