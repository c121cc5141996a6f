// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/tiny_models.h"

#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace ldm::testing {
namespace fs = std::filesystem;

std::string makeTempDir(const std::string& tag)
{
    std::random_device random;
    const fs::path dir = fs::temp_directory_path() /
                         ("ldm-" + tag + "-" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(dir);
    return dir.string();
}

namespace {

LdmConfig baseConfig()
{
    LdmConfig config;
    config.schedule = ScheduleConfig{0.0015, 0.0155, 1000, "linear"};
    config.scaleFactor = 0.5;
    auto stage = AutoencoderConfig::fromJson(nlohmann::json::parse(R"({
        "embed_dim": 3,
        "ddconfig": {"double_z": true, "z_channels": 3, "resolution": 64, "in_channels": 3,
                     "out_ch": 3, "ch": 32, "ch_mult": [1, 1, 1], "num_res_blocks": 1,
                     "attn_resolutions": [], "dropout": 0.0}})"));
    if (!stage)
        throw std::runtime_error(stage.error().message);
    config.firstStage = stage.value();
    return config;
}

UNetConfig unetConfig(int64_t inChannels, bool crossAttention)
{
    nlohmann::json kwargs = {{"in_channels", inChannels}, {"out_channels", 3},
                             {"model_channels", 32}, {"attention_resolutions", {2}},
                             {"num_res_blocks", 1}, {"channel_mult", {1, 2}},
                             {"num_head_channels", 16}, {"legacy", false}};
    if (crossAttention) {
        kwargs["use_spatial_transformer"] = true;
        kwargs["context_dim"] = 32;
        kwargs["transformer_depth"] = 1;
    }
    auto config = UNetConfig::fromJson(kwargs);
    if (!config)
        throw std::runtime_error(config.error().message);
    return config.value();
}

void writeTokenizer(const std::string& dir)
{
    const std::string corpus = (fs::path(dir) / "corpus.txt").string();
    std::ofstream out(corpus);
    const char* words[] = {"snowy", "mountains", "above", "a", "lake", "at", "sunset", "green",
                           "meadow", "forest", "under", "cloudy", "sky", "sandy", "beach", "calm",
                           "sea", "rock", "grass", "water"};
    std::mt19937 random(3);
    for (int line = 0; line < 400; ++line) {
        for (int word = 0; word < 6; ++word)
            out << words[random() % 20] << ' ';
        out << '\n';
    }
    out.close();
    TokenizerTrainOptions options;
    options.quiet = true;
    options.hardVocabLimit = false;
    auto trained = Tokenizer::train({corpus}, (fs::path(dir) / "tiny").string(), 64, options);
    if (!trained)
        throw std::runtime_error(trained.error().message);
}

} // namespace

std::string writeTinyModel(const std::string& dir, const std::string& kind)
{
    torch::manual_seed(7);
    LdmConfig config = baseConfig();
    config.name = "tiny-" + kind;
    if (kind == "text") {
        writeTokenizer(dir);
        config.unet = unetConfig(3, true);
        config.conditioningKey = ConditioningKey::CrossAttn;
        config.condStage = CondStageKind::Text;
        TextEncoderConfig text;
        text.nEmbed = 32;
        text.nLayer = 1;
        text.vocabSize = 64;
        text.maxSeqLen = 16;
        config.text = text;
        config.tokenizer = "tiny.model";
    } else if (kind == "map") {
        config.unet = unetConfig(3 + 10, false);
        config.conditioningKey = ConditioningKey::Concat;
        config.condStage = CondStageKind::SpatialRescaler;
        SpatialRescalerConfig rescaler;
        rescaler.nStages = 2;
        rescaler.inChannels = 10;
        config.rescaler = rescaler;
        const char* names[] = {"sky", "cloud", "mountain", "snow", "rock",
                               "water", "sand", "grass", "forest", "dirt"};
        for (int id = 0; id < 10; ++id)
            config.classes.push_back({id, names[id], "#0" + std::to_string(id) + "0" +
                                                         std::to_string(id) + "0" +
                                                         std::to_string(id)});
    } else if (kind == "class") {
        config.unet = unetConfig(3, false);
        config.unet->numClasses = 5;
    } else if (kind == "sd1" || kind == "sd1_inpaint") {
        // The inpainting file's UNet also sees the mask and the masked image's latent.
        config.unet = unetConfig(kind == "sd1" ? 3 : 3 + 1 + 3, true);
        config.unet->numHeads = 8;
        config.unet->numHeadChannels = -1;
        config.unet->contextDim = 64;
        config.conditioningKey = ConditioningKey::CrossAttn;
        config.condStage = CondStageKind::ClipText;
        ClipTextConfig clip;
        clip.width = 64;
        clip.layers = 2;
        clip.heads = 1;
        clip.intermediate = 128;
        config.clipText = clip;
    } else if (kind == "bert") {
        config.unet = unetConfig(3, true);
        config.conditioningKey = ConditioningKey::CrossAttn;
        config.condStage = CondStageKind::Text;
        TextEncoderConfig text;
        text.nEmbed = 32;
        text.nLayer = 1;
        text.vocabSize = 30522;
        text.maxSeqLen = 77;
        config.text = text;
    } else if (kind == "sd2" || kind == "sd2_inpaint") {
        config.unet = unetConfig(kind == "sd2" ? 3 : 3 + 1 + 3, true);
        config.unet->modelChannels = 64;
        config.unet->numHeads = -1;
        config.unet->numHeadChannels = 64;
        config.unet->useLinearInTransformer = true;
        config.unet->contextDim = 64;
        config.conditioningKey = ConditioningKey::CrossAttn;
        config.condStage = CondStageKind::OpenClipText;
        OpenClipTextConfig tower;
        tower.width = 64;
        tower.layers = 2;
        tower.heads = 1;
        tower.mlpWidth = 128;
        tower.embedDim = 32;
        config.openClipText = tower;
    } else if (kind == "superres") {
        config.unet = unetConfig(3 + 3, false);
        config.conditioningKey = ConditioningKey::Concat;
        config.concatImage = true;
    } else {
        throw std::invalid_argument("unknown tiny model kind " + kind);
    }
    auto model = LatentDiffusion::create(config);
    if (!model)
        throw std::runtime_error(model.error().message);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    const bool sdFile =
        kind == "sd1" || kind == "sd2" || kind == "sd1_inpaint" || kind == "sd2_inpaint";
    for (const auto& [name, tensor] : model->stateDict())
        tensors.emplace_back(name, sdFile && tensor.is_floating_point() ? tensor.to(torch::kHalf)
                                                                       : tensor);
    if (sdFile) {
        tensors.emplace_back("alphas_cumprod", model->schedule().alphasCumprod());
        tensors.emplace_back("betas", model->schedule().betas());
    }
    const std::string path = (fs::path(dir) / (kind + ".safetensors")).string();
    auto written = io::writeSafetensors(
        path, tensors,
        sdFile ? std::map<std::string, std::string>{{"format", "pt"}} : config.toMetadata());
    if (!written)
        throw std::runtime_error(written.error().message);
    return path;
}

} // namespace ldm::testing
