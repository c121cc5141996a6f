// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ae_train_config.h"

#include "checkpoint/yaml_json.h"

#include <set>

namespace ldm::train {
namespace {

using nlohmann::json;

/// Reads the keys of one YAML section, remembering which it saw so leftovers can be reported.
class Section
{
public:
    Section(const json& object, std::string name)
        : m_object(object)
        , m_name(std::move(name))
    {
    }

    template <typename T> void read(const char* key, T& target)
    {
        m_known.insert(key);
        if (!m_error.empty() || !m_object.is_object() || !m_object.contains(key))
            return;
        const json& value = m_object.at(key);
        try {
            if constexpr (std::is_same_v<T, bool>) {
                if (!value.is_boolean())
                    throw std::runtime_error("expected true or false");
            } else if constexpr (std::is_arithmetic_v<T>) {
                if (!value.is_number())
                    throw std::runtime_error("expected a number");
                if (std::is_integral_v<T> && !value.is_number_integer())
                    throw std::runtime_error("expected an integer");
            } else if constexpr (std::is_same_v<T, std::string>) {
                if (!value.is_string())
                    throw std::runtime_error("expected a string");
            }
            target = value.get<T>();
        } catch (const std::exception& error) {
            m_error = "'" + m_name + "." + key + "': " + error.what() + ", got " + value.dump();
        }
    }

    void require(bool condition, const char* key, const std::string& what)
    {
        if (m_error.empty() && !condition)
            m_error = "'" + m_name + "." + key + "' must be " + what;
    }

    /// Error text for a type error or an unknown key; empty when all is well.
    std::string finish(std::initializer_list<const char*> alsoKnown = {})
    {
        for (const char* key : alsoKnown)
            m_known.insert(key);
        if (m_error.empty() && m_object.is_object())
            for (const auto& item : m_object.items())
                if (!m_known.count(item.key()))
                    m_error = "unknown key '" + m_name + "." + item.key() + "'";
        return m_error;
    }

private:
    const json& m_object;
    std::string m_name;
    std::set<std::string> m_known;
    std::string m_error;
};

Error configError(const std::string& message)
{
    return makeError(ErrorCode::InvalidRequest, "training config: " + message);
}

const json& sectionOf(const json& root, const char* name)
{
    static const json empty = json::object();
    return root.contains(name) ? root.at(name) : empty;
}

} // namespace

Result<AeTrainConfig> AeTrainConfig::fromJson(const json& root)
{
    if (!root.is_object())
        return configError("the file must be a mapping with model, data, optimizer, loss and "
                           "training sections");
    for (const auto& item : root.items())
        if (item.key() != "model" && item.key() != "data" && item.key() != "optimizer" &&
            item.key() != "loss" && item.key() != "training")
            return configError("unknown section '" + item.key() + "'");
    AeTrainConfig config;
    config.source = root;

    const json& model = sectionOf(root, "model");
    auto autoencoder = AutoencoderConfig::fromJson(model);
    if (!autoencoder)
        return configError("model: " + autoencoder.error().message);
    if (autoencoder->isVq())
        return configError("model: only the KL autoencoder trains here (remove n_embed)");
    config.model = autoencoder.value();
    Section modelSection(model, "model");
    modelSection.read("logvar_init", config.logvarInit);
    modelSection.require(config.logvarInit >= -30 && config.logvarInit <= 20, "logvar_init",
                         "in [-30, 20] (the posterior clamps logvar there)");
    if (auto error = modelSection.finish({"ddconfig", "embed_dim"}); !error.empty())
        return configError(error);

    AeDataConfig& d = config.data;
    Section data(sectionOf(root, "data"), "data");
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

    AeOptimConfig& o = config.optim;
    Section optim(sectionOf(root, "optimizer"), "optimizer");
    optim.read("lr", o.lr);
    optim.read("lr_min", o.lrMin);
    optim.read("schedule", o.schedule);
    optim.read("warmup_steps", o.warmupSteps);
    std::vector<double> betas{o.beta1, o.beta2};
    optim.read("betas", betas);
    optim.read("weight_decay", o.weightDecay);
    optim.read("grad_clip", o.gradClip);
    optim.require(betas.size() == 2 && betas[0] >= 0 && betas[0] < 1 && betas[1] >= 0 &&
                      betas[1] < 1,
                  "betas", "two numbers in [0, 1)");
    if (betas.size() == 2) {
        o.beta1 = betas[0];
        o.beta2 = betas[1];
    }
    optim.require(o.lr > 0 && o.lr < 1, "lr", "in (0, 1)");
    optim.require(o.lrMin >= 0 && o.lrMin <= o.lr, "lr_min", "in [0, lr]");
    optim.require(o.schedule == "cosine" || o.schedule == "constant", "schedule",
                  "\"cosine\" or \"constant\"");
    optim.require(o.warmupSteps >= 0, "warmup_steps", ">= 0");
    optim.require(o.weightDecay >= 0, "weight_decay", ">= 0");
    optim.require(o.gradClip >= 0, "grad_clip", ">= 0");
    if (auto error = optim.finish(); !error.empty())
        return configError(error);

    Section loss(sectionOf(root, "loss"), "loss");
    loss.read("l1", config.loss.l1);
    loss.read("edge", config.loss.edge);
    loss.read("kl_weight", config.loss.klWeight);
    loss.require(config.loss.l1 >= 0 && config.loss.edge >= 0 && config.loss.klWeight >= 0 &&
                     config.loss.l1 + config.loss.edge > 0,
                 "l1", "non-negative weights with l1 + edge > 0 (likewise edge, kl_weight)");
    if (auto error = loss.finish(); !error.empty())
        return configError(error);

    AeLoopConfig& l = config.loop;
    Section loop(sectionOf(root, "training"), "training");
    loop.read("batch_size", l.batchSize);
    loop.read("steps", l.steps);
    loop.read("threads", l.threads);
    loop.read("bf16", l.bf16);
    loop.read("channels_last", l.channelsLast);
    loop.read("seed", l.seed);
    loop.read("ema_decay", l.emaDecay);
    loop.read("log_every", l.logEvery);
    loop.read("sample_every", l.sampleEvery);
    loop.read("checkpoint_every", l.checkpointEvery);
    loop.read("snapshot_every", l.snapshotEvery);
    loop.read("val_crops", l.valCrops);
    loop.require(l.batchSize >= 1 && l.batchSize <= 1024, "batch_size", "in [1, 1024]");
    loop.require(l.steps >= 1, "steps", ">= 1");
    loop.require(l.threads >= 1 && l.threads <= 256, "threads", "in [1, 256]");
    loop.require(l.emaDecay >= 0 && l.emaDecay < 1, "ema_decay", "in [0, 1)");
    loop.require(l.logEvery >= 1, "log_every", ">= 1");
    loop.require(l.sampleEvery >= 0, "sample_every", ">= 0 (0 = never)");
    loop.require(l.checkpointEvery >= 1, "checkpoint_every", ">= 1");
    loop.require(l.snapshotEvery >= 0, "snapshot_every", ">= 0");
    loop.require(l.valCrops >= 1 && l.valCrops <= 4096, "val_crops", "in [1, 4096]");
    if (auto error = loop.finish(); !error.empty())
        return configError(error);
    return config;
}

Result<AeTrainConfig> AeTrainConfig::fromYamlFile(const std::string& path)
{
    auto yaml = readYamlAsJson(path);
    if (!yaml)
        return yaml.error();
    auto config = fromJson(*yaml);
    if (!config)
        return makeError(config.error().code, path + ": " + config.error().message);
    return config;
}

} // namespace ldm::train
