// SPDX-License-Identifier: GPL-3.0-or-later
// Torch headers only (no Qt in this translation unit), see tiny_model.h.
#include "tiny_model.h"

#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"

#include <cstdio>
#include <utility>
#include <vector>

namespace ldm::test {

std::string writeTinyMapModel(const std::string& path, const TinyModelOptions& options)
{
    LdmConfig config;
    config.name = "tiny";
    config.conditioningKey = ConditioningKey::Concat;
    config.condStage = CondStageKind::SpatialRescaler;

    SpatialRescalerConfig rescaler;
    rescaler.nStages = 2; // image -> f4 latent grid
    rescaler.multiplier = 0.5;
    rescaler.inChannels = options.classes;
    config.rescaler = rescaler;

    AutoencoderConfig firstStage;
    firstStage.ddconfig.ch = 32; // GroupNorm(32) needs multiples of 32
    firstStage.ddconfig.chMult = {1, 2, 4};
    firstStage.ddconfig.numResBlocks = 1;
    firstStage.ddconfig.resolution = 64;
    firstStage.embedDim = 4;
    config.firstStage = firstStage;

    UNetConfig unet;
    unet.inChannels = 4 + options.classes;
    unet.outChannels = 4;
    unet.modelChannels = 32;
    unet.channelMult = {1, 2};
    unet.numResBlocks = 1;
    unet.numHeads = 1;
    unet.imageSize = 16;
    config.unet = unet;

    if (options.namedClasses) {
        static const char* const Names[] = {"sky", "water", "grass", "rock", "sand"};
        for (int id = 0; id < options.classes; ++id) {
            char color[8];
            std::snprintf(color, sizeof color, "#%02x%02x%02x", (37 * id + 60) % 256,
                          (91 * id + 120) % 256, (53 * id + 200) % 256);
            config.classes.push_back(
                {id, id < 5 ? Names[id] : "class " + std::to_string(id), color});
        }
    }

    // Random weights are the point, but not a random test: seed torch's generator.
    torch::manual_seed(1);
    auto model = LatentDiffusion::create(config);
    if (!model)
        return model.error().message;
    const io::TensorMap tensors = model->stateDict();
    std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
    auto written = io::writeSafetensors(path, list, config.toMetadata());
    return written ? std::string() : written.error().message;
}

} // namespace ldm::test
