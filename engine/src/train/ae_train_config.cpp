// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ae_train_config.h"

#include "train/config_section.h"

namespace ldm::train {

using nlohmann::json;

Result<AeTrainConfig> AeTrainConfig::fromJson(const json& root)
{
    if (auto ok = checkConfigSections(root, {"model", "data", "optimizer", "loss", "training"},
                                      "model, data, optimizer, loss and training");
        !ok)
        return ok.error();
    AeTrainConfig config;
    config.source = root;

    const json& model = sectionOf(root, "model");
    auto autoencoder = AutoencoderConfig::fromJson(model);
    if (!autoencoder)
        return configError("model: " + autoencoder.error().message);
    if (autoencoder->isVq())
        return configError("model: only the KL autoencoder trains here (remove n_embed)");
    config.model = autoencoder.value();
    ConfigSection modelSection(model, "model");
    modelSection.read("logvar_init", config.logvarInit);
    modelSection.require(config.logvarInit >= -30 && config.logvarInit <= 20, "logvar_init",
                         "in [-30, 20] (the posterior clamps logvar there)");
    if (auto error = modelSection.finish({"ddconfig", "embed_dim"}); !error.empty())
        return configError(error);

    AeDataConfig& d = config.data;
    ConfigSection data(sectionOf(root, "data"), "data");
    data.read("photos", d.photos);
    data.read("landscape_share", d.landscapeShare);
    data.read("crop_size", d.cropSize);
    data.read("photo_short_sides", d.photoShortSides);
    data.read("scale_jitter", d.scaleJitter);
    data.read("flip", d.flip);
    data.read("landscape_pool", d.landscapePool);
    data.read("landscape_size", d.landscapeSize);
    data.read("landscape_refresh_every", d.landscapeRefreshEvery);
    data.read("val_short_side", d.valShortSide);
    const int64_t f = config.model.ddconfig.downFactor();
    data.require(d.landscapeShare >= 0 && d.landscapeShare <= 1, "landscape_share", "in [0, 1]");
    data.require(d.cropSize >= 16 && d.cropSize <= 512 && d.cropSize % f == 0, "crop_size",
                 "in [16, 512] and a multiple of the down factor " + std::to_string(f));
    data.require(!d.photoShortSides.empty(), "photo_short_sides", "a non-empty list");
    for (int64_t side : d.photoShortSides)
        data.require(side >= d.cropSize && side <= 8192, "photo_short_sides",
                     "sides from crop_size to 8192");
    data.require(d.scaleJitter >= 1 && d.scaleJitter <= 4, "scale_jitter", "in [1, 4]");
    data.require(d.landscapePool >= 1 && d.landscapePool <= 4096, "landscape_pool", "in [1, 4096]");
    data.require(d.landscapeSize >= d.cropSize && d.landscapeSize <= 2048, "landscape_size",
                 "from crop_size to 2048");
    data.require(d.landscapeRefreshEvery >= 0, "landscape_refresh_every", ">= 0");
    data.require(d.valShortSide >= 64 && d.valShortSide <= 8192, "val_short_side", "in [64, 8192]");
    if (auto error = data.finish(); !error.empty())
        return configError(error);

    if (auto error = readOptimizerSection(sectionOf(root, "optimizer"), config.optim);
        !error.empty())
        return configError(error);

    ConfigSection loss(sectionOf(root, "loss"), "loss");
    loss.read("l1", config.loss.l1);
    loss.read("edge", config.loss.edge);
    loss.read("kl_weight", config.loss.klWeight);
    loss.require(config.loss.l1 >= 0 && config.loss.edge >= 0 && config.loss.klWeight >= 0 &&
                     config.loss.l1 + config.loss.edge > 0,
                 "l1", "non-negative weights with l1 + edge > 0 (likewise edge, kl_weight)");
    if (auto error = loss.finish(); !error.empty())
        return configError(error);

    AeLoopConfig& l = config.loop;
    ConfigSection loop(sectionOf(root, "training"), "training");
    readLoopSection(loop, l);
    loop.read("val_crops", l.valCrops);
    loop.require(l.valCrops >= 1 && l.valCrops <= 4096, "val_crops", "in [1, 4096]");
    if (auto error = loop.finish(); !error.empty())
        return configError(error);
    return config;
}

Result<AeTrainConfig> AeTrainConfig::fromYamlFile(const std::string& path)
{
    return readConfigFile<AeTrainConfig>(path);
}

} // namespace ldm::train
