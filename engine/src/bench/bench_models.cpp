// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/bench_models.h"

#include "checkpoint/latent_diffusion.h"
#include "checkpoint/yaml_json.h"
#include "io/model_registry.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace ldm {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr int64_t DefaultContextLen = 77; // CLIP and the LDM BERT both pad prompts to 77

bool isYamlPath(const std::string& path)
{
    const std::string ext = fs::path(path).extension().string();
    return ext == ".yaml" || ext == ".yml";
}

bool isFile(const std::string& path)
{
    std::error_code ec;
    return !path.empty() && fs::is_regular_file(path, ec);
}

/// The context length a config's cond stage implies: FrozenCLIPEmbedder's `max_length`, the
/// BERT/transformer embedders' `max_seq_len`, else 77.
int64_t contextLenFromYaml(const Json& params)
{
    if (!params.contains("cond_stage_config") || !params["cond_stage_config"].is_object())
        return DefaultContextLen;
    const Json cond = params["cond_stage_config"].value("params", Json::object());
    for (const char* key : {"max_length", "max_seq_len"})
        if (cond.contains(key) && cond[key].is_number_integer())
            return cond[key].get<int64_t>();
    return DefaultContextLen;
}

/// Builds random-weight networks from a CompVis config.yaml. Only unet_config and
/// first_stage_config are read, so configs whose cond stage this port lacks (CLIP in SD 1.x)
/// still benchmark.
Result<BenchModel> buildFromYaml(const std::string& path, int64_t contextLen)
{
    auto yaml = readYamlAsJson(path);
    if (!yaml)
        return yaml.error();
    if (!yaml->is_object() || !yaml->contains("model") || !(*yaml)["model"].contains("params"))
        return makeError(ErrorCode::InvalidFile, path + ": no model.params section (is this a "
                                                        "CompVis config.yaml?)");
    const Json& params = (*yaml)["model"]["params"];
    if (!params.contains("unet_config"))
        return makeError(ErrorCode::InvalidFile, path + ": no model.params.unet_config to build");
    auto unetConfig = UNetConfig::fromJson(params["unet_config"].value("params", Json::object()));
    if (!unetConfig)
        return makeError(unetConfig.error().code, path + ": " + unetConfig.error().message);
    auto unet = makeUNetModel(*unetConfig);
    if (!unet)
        return makeError(unet.error().code, path + ": " + unet.error().message);

    BenchModel model;
    model.description = "random weights from " + path;
    model.randomWeights = true;
    model.unet = unet.value();
    model.unet->eval();
    if (params.contains("first_stage_config")) {
        auto stageConfig = AutoencoderConfig::fromJson(
            params["first_stage_config"].value("params", Json::object()));
        if (!stageConfig)
            return makeError(stageConfig.error().code,
                             path + ": first_stage_config: " + stageConfig.error().message);
        auto stage = FirstStage::create(*stageConfig);
        if (!stage)
            return makeError(stage.error().code, path + ": " + stage.error().message);
        model.firstStage = stage.value();
    }
    if (unetConfig->useSpatialTransformer)
        model.contextLen = contextLen > 0 ? contextLen : contextLenFromYaml(params);
    return model;
}

Result<BenchModel> loadCheckpoint(const std::string& path, const std::string& configYaml,
                                  int64_t contextLen)
{
    LoadOptions options;
    options.configYaml = configYaml; // the weights that sample are the plan's, as generation's
    auto loaded = LatentDiffusion::load(path, options);
    if (!loaded)
        return loaded.error();
    if (loaded->unet().is_empty())
        return makeError(ErrorCode::InvalidRequest,
                         path + " holds no UNet; bench needs a diffusion model or a config.yaml");
    BenchModel model;
    model.description = "checkpoint " + path;
    model.unet = loaded->unet();
    model.unet->eval();
    model.firstStage = loaded->firstStage();
    if (model.unet->config().useSpatialTransformer) {
        const auto& text = loaded->config().text;
        model.contextLen =
            contextLen > 0 ? contextLen : (text ? text->maxSeqLen : DefaultContextLen);
    }
    return model;
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? "none" : text;
}

Result<BenchModel> resolve(const BenchModelSpec& spec, int64_t contextLen)
{
    if (spec.model.empty()) {
        if (spec.configYaml.empty())
            return makeError(ErrorCode::InvalidRequest,
                             "give a model (--model NAME|PATH) or a config (--config FILE.yaml)");
        return buildFromYaml(spec.configYaml, contextLen);
    }
    if (isYamlPath(spec.model)) {
        if (!isFile(spec.model))
            return makeError(ErrorCode::InvalidRequest, "no such config file: " + spec.model);
        return buildFromYaml(spec.model, contextLen);
    }
    if (const std::string path = resolveModelPath(spec.modelDir, spec.model); !path.empty())
        return loadCheckpoint(path, spec.configYaml, contextLen);
    const std::string benchDir = benchConfigDir(spec.modelDir);
    if (!benchDir.empty() && isFile(benchDir + "/" + spec.model + ".yaml"))
        return buildFromYaml(benchDir + "/" + spec.model + ".yaml", contextLen);
    if (!spec.configYaml.empty())
        return makeError(ErrorCode::InvalidRequest, "no checkpoint '" + spec.model +
                                                        "'; to benchmark " + spec.configYaml +
                                                        " with random weights, leave out --model");
    return makeError(ErrorCode::InvalidRequest,
                     "unknown model '" + spec.model +
                         "': not a file, not a shipped model (shipped: " +
                         joinNames(listShippedModels(spec.modelDir)) +
                         ") and not a bench config (bench configs: " +
                         joinNames(listBenchConfigs(spec.modelDir)) + ")");
}

} // namespace

std::string benchConfigDir(const std::string& modelDir)
{
    if (modelDir.empty())
        return {};
    std::error_code ec;
    const fs::path dir = fs::path(modelDir).parent_path() / "bench";
    return fs::is_directory(dir, ec) ? fs::weakly_canonical(dir, ec).string() : std::string();
}

std::vector<std::string> listBenchConfigs(const std::string& modelDir)
{
    std::vector<std::string> names;
    const std::string dir = benchConfigDir(modelDir);
    std::error_code ec;
    if (dir.empty())
        return names;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml")
            names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

Result<BenchModel> loadBenchModel(const BenchModelSpec& spec, int64_t contextLen)
{
    Result<BenchModel> model = [&]() -> Result<BenchModel> {
        try {
            return resolve(spec, contextLen);
        } catch (const std::bad_alloc&) {
            return makeError(ErrorCode::OutOfMemory, "not enough memory for the weights");
        } catch (const std::exception& error) {
            return makeError(ErrorCode::Internal,
                             std::string("cannot build the model: ") + error.what());
        }
    }();
    if (!model)
        return model;
    const UNetConfig& config = model->unet->config();
    model->contextDim = config.useSpatialTransformer ? config.contextDim.value_or(0) : 0;
    if (model->contextDim == 0)
        model->contextLen = 0;
    model->unetParams = parameterCount(*model->unet);
    if (model->firstStage) {
        model->latentFactor = model->firstStage->downFactor();
        model->firstStageParams = parameterCount(model->firstStage->module());
    }
    return model;
}

Result<UNetModel> copyUNet(const UNetModel& source)
{
    auto copy = makeUNetModel(source->config());
    if (!copy)
        return copy.error();
    torch::NoGradGuard noGrad;
    const auto from = source->named_parameters(true);
    for (auto& item : copy.value()->named_parameters(true))
        item.value().copy_(from[item.key()]);
    const auto fromBuffers = source->named_buffers(true);
    for (auto& item : copy.value()->named_buffers(true))
        item.value().copy_(fromBuffers[item.key()]);
    copy.value()->eval();
    return copy;
}

} // namespace ldm
