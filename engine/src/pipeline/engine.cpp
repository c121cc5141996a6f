// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm/engine.h"

#include "checkpoint/config_summary.h"
#include "core/regular_file.h"
#include "core/safetensors.h"
#include "io/model_registry.h"
#include "lora/prompt_loras.h"
#include "pipeline/control_request.h"
#include "pipeline/cpu_share.h"
#include "pipeline/cuda_device_name.h"
#include "pipeline/edit_pipeline.h"
#include "pipeline/engine_state.h"
#include "pipeline/generate_pipeline.h"
#include "pipeline/image_convert.h"
#include "pipeline/upscale_pipeline.h"
#include "prompt/tokenizer_paths.h"

#include <filesystem>
#include <thread>

namespace ldm {

struct Engine::Impl {
    torch::Device device{torch::kCPU};
    int threads = 1;
    std::string modelDir;
    std::optional<LoadedModel> model;
    lora::LoraPatcher loras; ///< the LoRAs merged into `model`'s weights
};

namespace {

/// The preview projection stored in the file (our exports carry one), else one fitted on
/// colour fields through the model's own autoencoder. A fit that fails leaves previews to the
/// decoder rather than failing the load.
LatentProjection projectionFor(const std::string& path, const LatentDiffusion& diffusion)
{
    const FirstStage& firstStage = *diffusion.firstStage();
    if (auto file = io::SafetensorsFile::open(path);
        file && file->contains(LatentProjection::TensorName)) {
        auto stored = LatentProjection::fromMatrix(file->tensor(LatentProjection::TensorName),
                                                   firstStage.latentChannels());
        if (stored.valid())
            return stored;
    }
    try {
        return LatentProjection::fitOnColourFields(firstStage, diffusion.scaleFactor());
    } catch (const c10::Error&) {
        return {};
    }
}

/// The published vocabularies that CLIP and CompVis BERT models need (resources/tokenizers).
Result<void> loadStandardTokenizer(LoadedModel& loaded)
{
    const LdmConfig& config = loaded.diffusion.config();
    if (config.clipText || config.openClipText) {
        auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
        if (!file)
            return file.error();
        // Same vocabulary; open_clip pads with 0 and spells its special tokens differently.
        auto tokenizer = prompt::ClipTokenizer::load(
            *file, config.openClipText ? prompt::ClipFlavor::OpenClip : prompt::ClipFlavor::OpenAi);
        if (!tokenizer)
            return tokenizer.error();
        loaded.clipTokenizer = std::move(tokenizer.value());
    } else if (config.text && config.tokenizer.empty() && config.text->useTokenizer) {
        auto file = prompt::findTokenizerFile(prompt::BertVocabFileName);
        if (!file)
            return file.error();
        auto tokenizer = prompt::BertTokenizer::load(*file);
        if (!tokenizer)
            return tokenizer.error();
        if (tokenizer->vocabSize() != config.text->vocabSize)
            return makeError(ErrorCode::WeightsMismatch,
                             "the text encoder has " + std::to_string(config.text->vocabSize) +
                                 " token embeddings but bert-base-uncased has " +
                                 std::to_string(tokenizer->vocabSize()) +
                                 " words: this model needs its own tokenizer file");
        loaded.bertTokenizer = std::move(tokenizer.value());
    }
    return {};
}

ModelInfo describe(const std::string& name, const std::string& path, const LatentDiffusion& model)
{
    const LdmConfig& config = model.config();
    ModelInfo info;
    info.name = name;
    info.path = path;
    info.hash = sha256OfFile(path);
    info.description = describeConfig(config);
    info.family = describeFamily(config);
    info.clipLayers = config.clipText ? int(config.clipText->layers) : 0;
    info.prediction = config.predictsV() ? "v" : "eps";
    info.weights = model.weightChoice().name();
    info.weightsReason = model.weightChoice().reason;
    info.latentFactor = int(model.firstStage()->downFactor());
    info.trainedSize = int(config.unet->imageSize > 0 ? config.unet->imageSize * info.latentFactor : 256);
    // SD configs name the 256 px pre-training crop (image_size 32); the released weights were
    // fine-tuned at 512 px (SD-1.x, SD-2.x base) and 768 px (SD-2.x v).
    if (config.clipText || config.openClipText)
        info.trainedSize = config.openClipText && config.predictsV() ? 768 : 512;
    info.takesText = model.takesText();
    info.takesMap = !model.rescaler().is_empty();
    if (config.concatImage)
        info.tasks.push_back("upscale");
    if (info.family == "LDM super-resolution" || info.family == "LDM semantic synthesis") {
        // The releases sample as make_convolutional_sample does (DDIM, eta 1, unguided); 100
        // steps as the notebook and A1111's LDSR run the super-resolution model.
        info.releaseDefaults = {"ddim", 100, 1.0, 1.0};
    }
    if (info.takesMap)
        info.tasks.push_back("paint");
    if (isInpaintingModel(model)) {
        // Its UNet needs the mask and masked image at every step.
        info.tasks = {"inpaint", "outpaint"};
    } else if (!config.concatImage && !info.takesMap) {
        info.tasks.push_back("txt2img");
    } else if (info.takesText) {
        info.tasks.push_back("txt2img");
    }
    // Any model that samples from noise alone can also start from an encoded image.
    if (!config.concatImage &&
        std::find(info.tasks.begin(), info.tasks.end(), "txt2img") != info.tasks.end()) {
        info.tasks.push_back("img2img");
        info.tasks.push_back("inpaint");
        info.tasks.push_back("outpaint");
    }
    if (config.lowScale) {
        // The x4 upscaler's prompt describes the image it sharpens; it cannot start from noise.
        info.tasks = {"upscale"};
        info.maxNoiseLevel = int(config.lowScale->maxNoiseLevel);
        info.defaultNoiseLevel = int(LowScaleConfig::DefaultNoiseLevel);
        info.trainedSize = int(config.unet->imageSize > 0 ? config.unet->imageSize * info.latentFactor
                                                          : 512);
    }
    for (const auto& c : config.classes)
        info.classes.push_back({c.id, c.name, c.color});
    return info;
}

} // namespace

Engine::Engine()
    : m_impl(std::make_unique<Impl>())
{
}

Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::create(const EngineOptions& options)
{
    std::unique_ptr<Engine> engine(new Engine());
    if (options.device == "cuda" && !torch::cuda::is_available())
        return makeError(ErrorCode::DeviceUnavailable,
                         "CUDA was requested but no CUDA device is available to LibTorch");
    if (options.device != "cpu" && options.device != "cuda" && options.device != "auto")
        return makeError(ErrorCode::InvalidRequest,
                         "device must be auto, cpu or cuda, got '" + options.device + "'");
    if (options.device != "cpu" && torch::cuda::is_available())
        engine->m_impl->device = torch::Device(torch::kCUDA, 0);
    engine->m_impl->modelDir = findModelDir(options.modelDir);
    engine->setThreads(options.threads);
    return engine;
}

std::string Engine::deviceName() const
{
    if (m_impl->device.is_cuda()) {
        const int index = m_impl->device.index();
        const std::string name = cudaDeviceName(index);
        return name.empty() ? "CUDA device " + std::to_string(index) : "CUDA: " + name;
    }
    return "CPU (" + std::to_string(m_impl->threads) + " threads)";
}

void Engine::setThreads(int threads)
{
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int chosen = threads > 0 ? std::min(threads, 256) : threadsFromEnvironment();
    m_impl->threads = chosen > 0 ? chosen : cores;
    torch::set_num_threads(m_impl->threads);
    // Left automatic, each sampler step may use fewer while other busy processes hold cores;
    // a chosen count stays fixed so that results repeat bit for bit (cpu_share.h).
    CpuShare::configure(m_impl->threads, !m_impl->device.is_cuda(), chosen == 0);
}

std::vector<std::string> Engine::shippedModels() const
{
    return listShippedModels(m_impl->modelDir);
}

std::string Engine::defaultModelFor(const std::string& task) const
{
    return defaultModelName(task);
}

Result<ModelInfo> Engine::loadModel(const std::string& nameOrPath, const std::string& configYaml,
                                    const std::string& prediction, const std::string& weights)
{
    CpuShare::adjust();
    if (!weights.empty() && weights != "ema" && weights != "raw")
        return makeError(ErrorCode::InvalidRequest,
                         "weights must be ema or raw, got '" + weights + "'");
    const std::string path = resolveModelPath(m_impl->modelDir, nameOrPath);
    if (path.empty())
        return makeError(ErrorCode::InvalidRequest,
                         "no model '" + nameOrPath + "': not a file, and not a shipped model in " +
                             (m_impl->modelDir.empty() ? std::string("(no model folder found)")
                                                       : m_impl->modelDir));
    LoadOptions options;
    options.configYaml = configYaml; // empty: the plan finds one beside the checkpoint
    options.prediction = prediction;
    if (!weights.empty())
        options.preferEma = weights == "ema";
    auto diffusion = LatentDiffusion::load(path, options);
    if (!diffusion)
        return diffusion.error();
    const LdmConfig config = diffusion->config(); // a copy: diffusion is moved below
    if (!config.unet || !diffusion->firstStage())
        return makeError(ErrorCode::InvalidRequest,
                         path + " holds " + describeKind(config) +
                             ": generating needs a UNet and a first stage in one checkpoint");
    try {
        LoadedModel loaded{std::move(diffusion.value()), {}, std::nullopt, std::nullopt,
                           std::nullopt, {}, std::nullopt};
        const std::string name =
            path == nameOrPath ? std::filesystem::path(path).filename().string() : nameOrPath;
        loaded.info = describe(name, path, loaded.diffusion);
        loaded.info.configPath = loaded.diffusion.configPath();
        if (!config.tokenizer.empty()) {
            // A name from the file's metadata: it may only name a file beside the checkpoint.
            const auto tokenizerPath = files::confinedFile(
                std::filesystem::path(path).parent_path().string(), config.tokenizer,
                "metadata 'tokenizer'");
            if (!tokenizerPath)
                return makeError(tokenizerPath.error().code,
                                 path + ": " + tokenizerPath.error().message);
            auto tokenizer = Tokenizer::load(*tokenizerPath);
            if (!tokenizer)
                return makeError(tokenizer.error().code,
                                 "tokenizer of " + path + ": " + tokenizer.error().message);
            loaded.tokenizer = std::move(tokenizer.value());
        }
        if (auto ok = loadStandardTokenizer(loaded); !ok)
            return makeError(ok.error().code, path + ": " + ok.error().message);
        loaded.projection = projectionFor(path, loaded.diffusion);
        loaded.diffusion.to(m_impl->device);
        m_impl->model = std::move(loaded);
        m_impl->loras = lora::LoraPatcher(); // its kept weights were the previous model's
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "not enough memory to load " + path);
    } catch (const c10::Error& error) {
        return makeError(ErrorCode::Internal,
                         "loading " + path + ": " + error.what_without_backtrace());
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, "loading " + path + ": " + error.what());
    }
    return m_impl->model->info;
}

Result<ModelInfo> Engine::modelInfo() const
{
    if (!m_impl->model)
        return makeError(ErrorCode::InvalidRequest, "no model is loaded");
    return m_impl->model->info;
}

Result<GenerateResult> Engine::generate(const GenerateRequest& request)
{
    if (!m_impl->model)
        return makeError(ErrorCode::InvalidRequest, "no model is loaded");
    CpuShare::adjust(); // the prompt encoding and first step also yield busy cores
    // With a ControlNet a text model paints: "paint" is txt2img steered by the map.
    const bool controlled = !request.control.path.empty();
    if (controlled) {
        if (auto ok = loadControlNetFor(*m_impl->model, request.control.path, m_impl->device); !ok)
            return ok.error();
    }
    const LoadedModel& model = *m_impl->model;
    const auto& tasks = model.info.tasks;
    const std::string task =
        controlled && request.recipe.task == "paint" ? std::string("txt2img") : request.recipe.task;
    if (std::find(tasks.begin(), tasks.end(), task) == tasks.end())
        return makeError(ErrorCode::InvalidRequest,
                         "model '" + model.info.name + "' cannot do task '" + request.recipe.task +
                             "'");
    try {
        // The prompt's <lora:name:weight> tags: merged into the weights (replacing the previous
        // request's) and taken out of the text the tokenizer reads; the recipe keeps them.
        auto loras = lora::applyPromptLoras(m_impl->loras, m_impl->model->diffusion,
                                            request.recipe.prompt, request.loraDir);
        if (!loras)
            return loras.error();
        std::optional<GenerateRequest> withoutTags;
        if (loras->prompt != request.recipe.prompt) {
            withoutTags = request;
            withoutTags->recipe.prompt = loras->prompt;
        }
        const GenerateRequest& run = withoutTags ? *withoutTags : request;
        Result<GenerateResult> result = request.recipe.task == "upscale"
                                            ? generateUpscale(model, run, m_impl->device)
                                            : generateFromNoise(model, run, m_impl->device);
        if (result) {
            result->recipe.prompt = request.recipe.prompt;
            result->recipe.loraHashes = loras->hashes;
            result->warnings.insert(result->warnings.end(), loras->warnings.begin(),
                                    loras->warnings.end());
            result->recipe.modelName = model.info.name;
            result->recipe.modelHash = model.info.hash;
            result->recipe.engineVersion = engineVersion();
            result->recipe.prediction = model.info.prediction;
            recordControl(model, request, result->recipe);
            result->recipe.weights = model.info.weights;
            // Only the samplers that read eta record it: another's eta did nothing.
            if (!samplerReadsEta(result->recipe.sampler))
                result->recipe.eta = 0.0;
        }
        return result;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory; try a smaller size");
    } catch (const c10::Error& error) {
        const std::string what = error.what_without_backtrace();
        if (what.find("alloc") != std::string::npos || what.find("memory") != std::string::npos)
            return makeError(ErrorCode::OutOfMemory, "out of memory; try a smaller size");
        return makeError(ErrorCode::Internal, what);
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, error.what());
    }
}

std::string engineVersion()
{
    // The version CMake's project() declares, so recipes name the build that made them.
    return std::string("latent-canvas ") + LDM_PROJECT_VERSION;
}

} // namespace ldm
