// SPDX-License-Identifier: GPL-3.0-or-later
// LdmTrainer: creating, resuming, checkpointing, the loop and export. The step itself and the
// conditioning are in ldm_trainer_step.cpp, the sample grids in ldm_samples.cpp.
#include "train/ldm_trainer.h"

#include "core/safetensors.h"
#include "pipeline/cpu_share.h"
#include "pipeline/latent_projection.h"
#include "train/ldm_tokenizer_corpus.h"
#include "train/ldm_trainer_state.h"
#include "train/run_folder.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;
constexpr const char* StateFormat = "latent-canvas-ldm-run-1";

Result<io::TensorMap> readTensors(const std::string& path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    io::TensorMap tensors;
    for (const auto& info : file->tensors())
        tensors[info.name] = file->tensor(info.name).clone();
    return tensors;
}

Result<void> saveNets(const std::string& path, const LdmNets& nets, const LdmConfig& config,
                      int64_t step)
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto& [name, value] : nets.stateDict(config))
        tensors.emplace_back(name, value.to(torch::kFloat32).contiguous());
    auto metadata = config.toMetadata();
    metadata["training_step"] = std::to_string(step);
    return io::writeSafetensors(path, tensors, metadata);
}

Result<double> measureScaleFactor(LdmTrainer::State& s)
{
    at::Generator generator =
        at::make_generator<at::CPUGeneratorImpl>(s.config.loop.seed ^ 0x5CA1E);
    std::vector<torch::Tensor> latents;
    for (int64_t i = 0; i < s.config.model.scaleBatches; ++i)
        latents.push_back(s.encode(s.data->trainBatch(i).images, generator).flatten());
    const double std = torch::cat(latents).std().item<double>();
    if (!std::isfinite(std) || std <= 1e-8)
        return makeError(ErrorCode::InvalidRequest,
                         "the first stage gives constant latents: cannot measure scale_factor");
    return 1.0 / std;
}

} // namespace

std::string stepName(int64_t step)
{
    char text[32];
    std::snprintf(text, sizeof text, "step-%07lld", static_cast<long long>(step));
    return text;
}

LdmTrainer::LdmTrainer(std::unique_ptr<State> state)
    : m(std::move(state))
{
}
LdmTrainer::~LdmTrainer() = default;

Result<std::unique_ptr<LdmTrainer>> LdmTrainer::build(const LdmTrainConfig& config,
                                                      const LdmTrainerOptions& options,
                                                      double scaleFactor)
{
    auto s = std::make_unique<State>();
    s->config = config;
    s->options = options;
    applyRunOverrides(s->config.loop, s->config.source, options.bf16);
    s->totalSteps = options.steps > 0 ? options.steps : config.loop.steps;
    s->scaleFactor = scaleFactor;
    const fs::path run(options.runDir);
    const int threads = int(options.threads > 0 ? options.threads : config.loop.threads);
    torch::set_num_threads(threads);
    CpuShare::configure(threads, true, options.adaptiveThreads);

    auto stage = loadAutoencoder((run / RunFirstStageFile).string());
    if (!stage)
        return stage.error();
    stage->module().eval();
    for (auto& parameter : stage->module().parameters())
        parameter.set_requires_grad(false);
    s->firstStage.emplace(stage.value());

    int64_t vocab = 0;
    if (config.usesText()) {
        auto tokenizer = Tokenizer::load((run / RunTokenizerPrefix).string() + ".model");
        if (!tokenizer)
            return tokenizer.error();
        vocab = tokenizer->vocabSize();
        s->tokenizer.emplace(tokenizer.value());
    }
    std::vector<SemanticClass> classes;
    if (config.usesMap()) {
        auto read = readPaletteClasses((run / RunPaletteFile).string());
        if (!read)
            return read.error();
        classes = read.value();
    }
    auto model = makeRunLdmConfig(config, stage->config(), vocab, classes,
                                  config.model.name + ".tokenizer.model", scaleFactor);
    if (!model)
        return model.error();
    s->model = model.value();

    torch::manual_seed(config.loop.seed);
    auto nets = LdmNets::create(s->model);
    if (!nets)
        return nets.error();
    auto ema = LdmNets::create(s->model);
    if (!ema)
        return ema.error();
    s->nets = nets.value();
    s->ema = ema.value();
    if (config.loop.channelsLast) {
        s->nets.toChannelsLast();
        s->ema.toChannelsLast();
    }
    s->ema.copyFrom(s->nets);
    s->ema.setTraining(false);
    for (auto& parameter : s->ema.parameters())
        parameter.set_requires_grad(false);
    s->nets.setTraining(true);

    auto schedule = NoiseSchedule::fromConfig(s->model.schedule);
    if (!schedule)
        return schedule.error();
    s->schedule.emplace(schedule.value());
    s->sqrtAlphaBar = schedule->alphasCumprod().to(torch::kFloat32).sqrt();
    s->sqrtOneMinusAlphaBar = (1.0 - schedule->alphasCumprod().to(torch::kFloat32)).sqrt();
    if (s->tokenizer)
        s->uncondTokens = s->tokensFor({""})[0];

    auto data = LdmDataSource::create(config, options.requirePhotos);
    if (!data)
        return data.error();
    s->warnings = data->warnings();
    s->data.emplace(std::move(data.value()));

    const auto& o = config.optim;
    s->optimizer = std::make_unique<torch::optim::AdamW>(
        s->nets.parameters(),
        torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).weight_decay(o.weightDecay));
    return std::unique_ptr<LdmTrainer>(new LdmTrainer(std::move(s)));
}

Result<std::unique_ptr<LdmTrainer>> LdmTrainer::create(const LdmTrainConfig& config,
                                                       const LdmTrainerOptions& options)
{
    if (!findCheckpointFolder(options.runDir).empty())
        return makeError(ErrorCode::InvalidRequest,
                         options.runDir + " already holds a run: resume it (--resume) or choose "
                                          "another --run-dir");
    const fs::path run(options.runDir);
    std::error_code ec;
    for (const char* sub : {"", "samples", "snapshots"})
        fs::create_directories(run / sub, ec);
    if (!fs::is_directory(run, ec))
        return makeError(ErrorCode::InvalidFile, "cannot create run folder " + options.runDir);
    if (config.model.firstStage.empty())
        return makeError(ErrorCode::InvalidRequest,
                         "training config: 'model.first_stage' must name the frozen autoencoder");
    if (auto check = loadAutoencoder(config.model.firstStage); !check)
        return makeError(check.error().code, "first stage: " + check.error().message);
    fs::copy_file(config.model.firstStage, run / RunFirstStageFile,
                  fs::copy_options::overwrite_existing, ec);
    if (ec)
        return makeError(ErrorCode::InvalidFile,
                         "cannot copy the first stage into the run: " + ec.message());
    if (config.usesMap()) {
        if (auto classes = readPaletteClasses(config.model.palette); !classes)
            return classes.error();
        fs::copy_file(config.model.palette, run / RunPaletteFile,
                      fs::copy_options::overwrite_existing, ec);
        if (ec)
            return makeError(ErrorCode::InvalidFile, "cannot copy the palette: " + ec.message());
    }
    std::vector<std::string> notes;
    if (config.usesText()) {
        auto data = LdmDataSource::create(config, false);
        if (!data)
            return data.error();
        if (auto ok = trainCaptionTokenizer(data->corpusCaptions(config.tokenizer.captions),
                                            config.tokenizer, (run / RunTokenizerPrefix).string(),
                                            &notes);
            !ok)
            return ok.error();
    }
    const bool autoScale = config.model.scaleFactor <= 0;
    auto trainer = build(config, options, autoScale ? 1.0 : config.model.scaleFactor);
    if (!trainer)
        return trainer.error();
    auto& s = *trainer.value()->m;
    for (auto& note : notes)
        s.warnings.push_back("tokenizer: " + note);
    if (autoScale) {
        auto scale = measureScaleFactor(s);
        if (!scale)
            return scale.error();
        s.scaleFactor = scale.value();
        s.model.scaleFactor = scale.value();
    }
    if (auto ok = writeTextFile((run / "config.json").string(), config.source.dump(2)); !ok)
        return ok.error();
    return trainer;
}

Result<std::unique_ptr<LdmTrainer>> LdmTrainer::resume(const LdmTrainerOptions& options)
{
    const std::string what = "a latent diffusion run state";
    auto checkpoint = findRunCheckpoint(options.runDir, StateFormat, what);
    if (!checkpoint)
        return checkpoint.error();
    const nlohmann::json& state = checkpoint->state;
    if (!state.contains("scale_factor") || !state.at("scale_factor").is_number())
        return makeError(ErrorCode::InvalidFile, checkpoint->folder + "/state.json is not " + what);
    auto config = LdmTrainConfig::fromJson(state.at("config"));
    if (!config)
        return config.error();
    auto trainer = build(*config, options, state.at("scale_factor").get<double>());
    if (!trainer)
        return trainer.error();
    if (auto ok = trainer.value()->restore(*checkpoint); !ok)
        return ok.error();
    return trainer;
}

Result<void> LdmTrainer::restore(const RunCheckpoint& checkpoint)
{
    const std::string& folder = checkpoint.folder;
    for (auto [file, nets] : {std::pair{"model", &m->nets}, std::pair{"ema", &m->ema}}) {
        const std::string path = folder + "/" + file + ".safetensors";
        auto tensors = readTensors(path);
        if (!tensors)
            return tensors.error();
        if (auto ok = nets->load(m->model, *tensors); !ok)
            return makeError(ok.error().code, path + ": " + ok.error().message);
    }
    return restoreRunProgress(checkpoint, *m->optimizer, *m);
}

Result<void> LdmTrainer::saveCheckpoint()
{
    const fs::path run(m->options.runDir);
    const fs::path staged = run / "checkpoint.tmp";
    std::error_code ec;
    fs::remove_all(staged, ec);
    fs::create_directories(staged, ec);
    if (auto ok = saveNets((staged / "model.safetensors").string(), m->nets, m->model, m->step);
        !ok)
        return ok;
    if (auto ok = saveNets((staged / "ema.safetensors").string(), m->ema, m->model, m->step); !ok)
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
                                  {"scale_factor", m->scaleFactor},
                                  {"scenes_seen", m->step * m->config.loop.batchSize},
                                  {"config", m->config.source},
                                  {"history", m->history.toJson()}};
    if (auto ok = writeTextFile((staged / "state.json").string(), state.dump(1)); !ok)
        return ok;
    if (auto ok = commitFolder(staged.string(), (run / "checkpoint").string()); !ok)
        return ok;
    m->lastCheckpoint = m->step;
    const auto& loop = m->config.loop;
    if (loop.snapshotEvery > 0 && m->step % loop.snapshotEvery == 0)
        return exportCheckpoint((run / "snapshots" / (stepName(m->step) + ".safetensors")).string(),
                                torch::kFloat16);
    return {};
}

Result<void> LdmTrainer::exportCheckpoint(const std::string& path, torch::ScalarType dtype,
                                          bool emaOnly)
{
    LdmExportParts parts;
    parts.config = m->model;
    parts.trained = &m->nets;
    parts.ema = m->config.loop.emaDecay > 0 ? &m->ema : nullptr;
    parts.firstStage = &*m->firstStage;
    parts.emaUpdates = m->step;
    parts.emaDecay = m->config.loop.emaDecay;
    parts.emaOnly = emaOnly;
    parts.extraMetadata = {{"training_step", std::to_string(m->step)},
                           {"training_config", m->config.source.dump()}};
    // Previews of the exported model: fitted here on the run's held-out images, the pictures
    // the model was made for, so loading it needs neither a fit nor this data.
    parts.previewProjection =
        LatentProjection::fit(*m->firstStage, m->scaleFactor, m->heldOut().images).matrix();
    std::error_code ec;
    const fs::path target(path);
    if (target.has_parent_path())
        fs::create_directories(target.parent_path(), ec);
    if (m->tokenizer) {
        const fs::path beside = target.parent_path() / m->model.tokenizer;
        fs::copy_file(fs::path(m->options.runDir) / (std::string(RunTokenizerPrefix) + ".model"),
                      beside, fs::copy_options::overwrite_existing, ec);
        if (ec)
            return makeError(ErrorCode::InvalidFile,
                             "cannot write " + beside.string() + ": " + ec.message());
    }
    return exportLdmCheckpoint(path, parts, dtype);
}

Result<void> LdmTrainer::run(const std::atomic<bool>& stop,
                             const std::function<void(const LdmProgress&)>& progress)
{
    const auto& loop = m->config.loop;
    LoopHooks hooks;
    hooks.step = [this] { return step(); };
    hooks.writeSamples = [this] { return writeSamples(); };
    hooks.saveCheckpoint = [this] { return saveCheckpoint(); };
    // Two early grids (a quarter and half way to the first one) show a broken pipeline long
    // before the first regular grid.
    hooks.extraSamples = [&loop](int64_t s) {
        return loop.sampleEvery >= 4 && (s == loop.sampleEvery / 4 || s == loop.sampleEvery / 2);
    };
    hooks.report = [&progress](const LoopPoint& at) {
        if (!progress)
            return;
        LdmProgress point;
        point.step = at.step;
        point.totalSteps = at.totalSteps;
        point.loss = at.means.count("loss") ? at.means.at("loss") : 0.0;
        point.lr = at.means.count("lr") ? at.means.at("lr") : 0.0;
        point.stepsPerSecond = at.stepsPerSecond;
        point.event = at.event;
        progress(point);
    };
    return runTrainingLoop(loop, *m, stop, hooks);
}

int64_t LdmTrainer::completedSteps() const
{
    return m->step;
}
int64_t LdmTrainer::totalSteps() const
{
    return m->totalSteps;
}
double LdmTrainer::scaleFactor() const
{
    return m->scaleFactor;
}
const LdmTrainConfig& LdmTrainer::config() const
{
    return m->config;
}
const LdmConfig& LdmTrainer::modelConfig() const
{
    return m->model;
}
const LossHistory& LdmTrainer::history() const
{
    return m->history;
}
const std::vector<std::string>& LdmTrainer::warnings() const
{
    return m->warnings;
}
const LdmNets& LdmTrainer::nets() const
{
    return m->nets;
}

int64_t LdmTrainer::unetParameters() const
{
    return parameterCount(*m->nets.unet);
}

int64_t LdmTrainer::textParameters() const
{
    return m->nets.text.is_empty() ? 0 : parameterCount(*m->nets.text);
}

} // namespace ldm::train
