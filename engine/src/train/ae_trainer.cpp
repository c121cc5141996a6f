// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ae_trainer.h"

#include "train/ae_eval.h"
#include "train/ae_loss.h"
#include "train/ae_trainer_state.h"
#include "train/run_folder.h"

#include "pipeline/cpu_share.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;
constexpr const char* StateFormat = "latent-canvas-ae-run-1";

void toChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    for (auto& parameter : module.parameters())
        if (parameter.dim() == 4)
            parameter.set_data(parameter.data().contiguous(at::MemoryFormat::ChannelsLast));
}

void copyParameters(torch::nn::Module& from, torch::nn::Module& to)
{
    torch::NoGradGuard noGrad;
    auto source = from.parameters(), target = to.parameters();
    for (size_t i = 0; i < source.size(); ++i)
        target[i].copy_(source[i]);
}

std::string stepName(int64_t step)
{
    std::string digits = std::to_string(step);
    return "step-" + std::string(digits.size() < 7 ? 7 - digits.size() : 0, '0') + digits;
}

} // namespace

// clang-format off
AeTrainer::AeTrainer(std::unique_ptr<State> state) : m(std::move(state)) {}
AeTrainer::~AeTrainer() = default;
// clang-format on

Result<std::unique_ptr<AeTrainer>> AeTrainer::build(const AeTrainConfig& config,
                                                    const AeTrainerOptions& options)
{
    auto state = std::make_unique<State>();
    state->config = config;
    state->options = options;
    applyRunOverrides(state->config.loop, state->config.source, options.bf16);
    state->totalSteps = options.steps > 0 ? options.steps : config.loop.steps;
    std::error_code ec;
    for (const char* sub : {"", "samples", "snapshots"})
        fs::create_directories(fs::path(options.runDir) / sub, ec);
    if (!fs::is_directory(options.runDir, ec))
        return makeError(ErrorCode::InvalidFile, "cannot create run folder " + options.runDir);
    const int threads = int(options.threads > 0 ? options.threads : config.loop.threads);
    torch::set_num_threads(threads);
    CpuShare::configure(threads, true, options.adaptiveThreads);

    auto data = CropSource::create(config.data, config.loop.seed, options.requirePhotos);
    if (!data)
        return data.error();
    state->warnings = data->warnings();
    state->data.emplace(std::move(data.value()));

    torch::manual_seed(config.loop.seed);
    auto stage = FirstStage::create(config.model);
    auto ema = FirstStage::create(config.model);
    if (!stage || !ema)
        return stage ? ema.error() : stage.error();
    {
        // A posterior that starts at logvar 0 buries the code in unit noise and the encoder
        // spends its first thousands of steps inflating the means (data-sources.md §5).
        torch::NoGradGuard noGrad;
        const int64_t embed = config.model.embedDim;
        stage->kl()->quantConv->bias.slice(0, embed).fill_(config.logvarInit);
    }
    stage->module().train();
    if (config.loop.channelsLast) {
        toChannelsLast(stage->module());
        toChannelsLast(ema->module());
    }
    copyParameters(stage->module(), ema->module());
    ema->module().eval();
    for (auto& parameter : ema->module().parameters())
        parameter.set_requires_grad(false);
    state->stage.emplace(stage.value());
    state->ema.emplace(ema.value());

    const auto& o = config.optim;
    state->optimizer = std::make_unique<torch::optim::AdamW>(
        stage->module().parameters(),
        torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weightDecay));
    return std::unique_ptr<AeTrainer>(new AeTrainer(std::move(state)));
}

Result<std::unique_ptr<AeTrainer>> AeTrainer::create(const AeTrainConfig& config,
                                                     const AeTrainerOptions& options)
{
    if (!findCheckpointFolder(options.runDir).empty())
        return makeError(ErrorCode::InvalidRequest,
                         options.runDir + " already holds a run: resume it (--resume) or choose "
                                          "another --run-dir");
    auto trainer = build(config, options);
    if (!trainer)
        return trainer.error();
    if (!options.initFrom.empty())
        if (auto ok = trainer.value()->initialiseFrom(options.initFrom); !ok)
            return ok.error();
    if (auto ok = writeTextFile((fs::path(options.runDir) / "config.json").string(),
                                config.source.dump(2));
        !ok)
        return ok.error();
    return trainer;
}

Result<std::unique_ptr<AeTrainer>> AeTrainer::resume(const AeTrainerOptions& options)
{
    auto checkpoint = findRunCheckpoint(options.runDir, StateFormat, "an autoencoder run state");
    if (!checkpoint)
        return checkpoint.error();
    auto config = AeTrainConfig::fromJson(checkpoint->state.at("config"));
    if (!config)
        return config.error();
    auto trainer = build(*config, options);
    if (!trainer)
        return trainer.error();
    if (auto ok = trainer.value()->restore(*checkpoint); !ok)
        return ok.error();
    return trainer;
}

Result<void> AeTrainer::initialiseFrom(const std::string& path)
{
    auto loaded = loadAutoencoder(path);
    if (!loaded)
        return loaded.error();
    if (loaded->config().toJson() != m->config.model.toJson())
        return makeError(ErrorCode::WeightsMismatch,
                         path + ": its autoencoder config differs from the run's (--init-from "
                                "needs the same architecture)");
    copyParameters(loaded->module(), m->stage->module());
    copyParameters(loaded->module(), m->ema->module());
    return {};
}

Result<void> AeTrainer::restore(const RunCheckpoint& checkpoint)
{
    const std::string& folder = checkpoint.folder;
    for (auto [file, stage] : {std::pair{"model", &*m->stage}, std::pair{"ema", &*m->ema}}) {
        auto loaded = loadAutoencoder(folder + "/" + file + ".safetensors");
        if (!loaded)
            return loaded.error();
        if (loaded->config().toJson() != m->config.model.toJson())
            return makeError(ErrorCode::WeightsMismatch,
                             folder + ": the weights do not match the run's config");
        copyParameters(loaded->module(), stage->module());
    }
    return restoreRunProgress(checkpoint, *m->optimizer, *m);
}

FirstStage AeTrainer::shippedModel()
{
    if (m->config.loop.emaDecay > 0)
        return *m->ema;
    return *m->stage;
}

double AeTrainer::heldOutPsnr()
{
    if (m->valCrops.empty())
        m->valCrops = m->data->heldOutCrops(m->config.loop.valCrops, m->config.data.cropSize);
    const auto recon = reconstructCrops(shippedModel(), m->valCrops);
    return measureQuality(m->valCrops, recon).psnrRgb;
}

Result<double> AeTrainer::writeSamples()
{
    const FirstStage model = shippedModel();
    constexpr int64_t Columns = 6, Size = 128;
    const auto photos = m->data->heldOutCrops(Columns, Size);
    const auto scenes = m->data->landscapeCrops(Columns, Size);
    std::vector<cv::Mat> bicubic;
    for (const auto& crop : photos)
        bicubic.push_back(bicubicDownUp(crop, int(model.downFactor())));
    const cv::Mat grid = makeGrid(
        {photos, bicubic, reconstructCrops(model, photos), scenes, reconstructCrops(model, scenes)},
        {"held-out", "bicubic x4", "autoencoder", "landscape", "autoencoder"}, 2);
    const fs::path run(m->options.runDir);
    if (auto ok = writeRgbPng((run / "samples" / (stepName(m->step) + ".png")).string(), grid); !ok)
        return ok.error();
    if (auto ok = writeRgbPng((run / "samples.png").string(), grid); !ok)
        return ok.error();
    const double psnr = heldOutPsnr();
    m->history.annotate(m->step, "val_psnr", psnr);
    if (auto ok =
            m->history.writePlot((run / "loss.png").string(), {"loss", "l1", "edge"}, "val_psnr");
        !ok)
        return ok.error();
    return psnr;
}

Result<void> AeTrainer::saveCheckpoint()
{
    const fs::path run(m->options.runDir);
    const fs::path staged = run / "checkpoint.tmp";
    std::error_code ec;
    fs::remove_all(staged, ec);
    fs::create_directories(staged, ec);
    const std::map<std::string, std::string> extra = {{"training_step", std::to_string(m->step)}};
    for (auto [file, stage] : {std::pair{"model", &*m->stage}, std::pair{"ema", &*m->ema}})
        if (auto ok = saveAutoencoder((staged / (std::string(file) + ".safetensors")).string(),
                                      *stage, torch::kFloat32, m->options.name, extra);
            !ok)
            return ok;
    try {
        torch::save(*m->optimizer, (staged / "optimizer.pt").string());
    } catch (const std::exception& error) {
        return makeError(ErrorCode::InvalidFile,
                         std::string("cannot write the optimizer state: ") + error.what());
    }
    const nlohmann::json state = {{"format", StateFormat},
                                  {"step", m->step},
                                  {"total_steps", m->totalSteps},
                                  {"config", m->config.source},
                                  {"history", m->history.toJson()}};
    if (auto ok = writeTextFile((staged / "state.json").string(), state.dump(1)); !ok)
        return ok;
    if (auto ok = commitFolder(staged.string(), (run / "checkpoint").string()); !ok)
        return ok;
    m->lastCheckpoint = m->step;
    const auto& loop = m->config.loop;
    if (loop.snapshotEvery > 0 && m->step % loop.snapshotEvery == 0)
        return saveAutoencoder((run / "snapshots" / (stepName(m->step) + ".safetensors")).string(),
                               shippedModel(), torch::kFloat32, m->options.name, extra);
    return {};
}

Result<void> AeTrainer::run(const std::atomic<bool>& stop,
                            const std::function<void(const AeProgress&)>& progress)
{
    double valPsnr = -1; // of the samples written at the current log point
    LoopHooks hooks;
    hooks.step = [this] { return step(); };
    hooks.writeSamples = [this, &valPsnr]() -> Result<void> {
        auto psnr = writeSamples();
        if (!psnr)
            return psnr.error();
        valPsnr = psnr.value();
        return {};
    };
    hooks.saveCheckpoint = [this] { return saveCheckpoint(); };
    hooks.report = [&](const LoopPoint& at) {
        if (!progress)
            return;
        AeProgress point;
        point.step = at.step;
        point.totalSteps = at.totalSteps;
        point.loss = at.means.at("loss");
        point.l1 = at.means.at("l1");
        point.edge = at.means.at("edge");
        point.kl = at.means.at("kl");
        point.lr = at.means.at("lr");
        point.stepsPerSecond = at.stepsPerSecond;
        point.valPsnr = at.sampled ? valPsnr : -1;
        point.event = at.event;
        progress(point);
    };
    return runTrainingLoop(m->config.loop, *m, stop, hooks);
}

// clang-format off
int64_t AeTrainer::completedSteps() const { return m->step; }
int64_t AeTrainer::totalSteps() const { return m->totalSteps; }
const AeTrainConfig& AeTrainer::config() const { return m->config; }
const LossHistory& AeTrainer::history() const { return m->history; }
const std::vector<std::string>& AeTrainer::warnings() const { return m->warnings; }
const FirstStage& AeTrainer::model() const { return *m->stage; }
// clang-format on

int64_t AeTrainer::parameterCount() const
{
    int64_t count = 0;
    for (const auto& parameter : m->stage->module().parameters())
        count += parameter.numel();
    return count;
}

} // namespace ldm::train
