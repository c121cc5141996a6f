// SPDX-License-Identifier: GPL-3.0-or-later
// Reads one section of a training config (YAML converted to JSON) key by key with type checks,
// and reports keys nobody read, so a typo fails instead of silently training with a default.
// Shared by the trainers' config readers.
#pragma once

#include "checkpoint/yaml_json.h"
#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace ldm::train {

/// Typed reader of one JSON object; the first problem is kept in error().
class ConfigSection
{
public:
    /// `name` is the dotted path used in messages ("training", "model.text").
    ConfigSection(const nlohmann::json& object, std::string name)
        : m_object(object)
        , m_name(std::move(name))
    {
        if (!m_object.is_null() && !m_object.is_object())
            m_error = "'" + m_name + "' must be a mapping";
    }

    /// Reads `key` into `target` when present (bool, number, string or vector of those).
    template <typename T> void read(const char* key, T& target)
    {
        m_known.insert(key);
        if (!m_error.empty() || !m_object.is_object() || !m_object.contains(key))
            return;
        const nlohmann::json& value = m_object.at(key);
        try {
            check<T>(value);
            target = value.get<T>();
        } catch (const std::exception& error) {
            m_error = "'" + m_name + "." + key + "': " + error.what() + ", got " + value.dump();
        }
    }

    /// The raw value of `key` (null when absent), marked as known.
    const nlohmann::json& raw(const char* key)
    {
        static const nlohmann::json null;
        m_known.insert(key);
        return m_object.is_object() && m_object.contains(key) ? m_object.at(key) : null;
    }

    /// Records "'section.key' must be `what`" unless `condition` holds.
    void require(bool condition, const char* key, const std::string& what)
    {
        if (m_error.empty() && !condition)
            m_error = "'" + m_name + "." + key + "' must be " + what;
    }

    /// The first type error or unknown key; empty when all is well. `alsoKnown` names keys
    /// another reader handles (e.g. `ddconfig`, read by the first-stage config).
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
    template <typename T> static void check(const nlohmann::json& value)
    {
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
        } else {
            if (!value.is_array())
                throw std::runtime_error("expected a list");
            for (const auto& item : value)
                check<typename T::value_type>(item);
        }
    }

    const nlohmann::json& m_object;
    std::string m_name;
    std::set<std::string> m_known;
    std::string m_error;
};

/// `optimizer:` AdamW with linear warm-up, then constant or cosine. Each trainer's config
/// derives from it with its own defaults.
struct OptimizerSection
{
    double lr = 2e-4;                ///< `lr`: peak learning rate
    double lrMin = 2e-5;             ///< `lr_min`: end of the cosine schedule
    std::string schedule = "cosine"; ///< `schedule`: "cosine" or "constant"
    int64_t warmupSteps = 500;       ///< `warmup_steps`: linear ramp from 0
    double beta1 = 0.9;              ///< `betas[0]`
    double beta2 = 0.999;            ///< `betas[1]`
    double weightDecay = 0.01;       ///< `weight_decay`
    double gradClip = 1.0;           ///< `grad_clip`: max global grad norm, 0 = off
};

/// `training:` the keys every training loop has.
struct LoopSection
{
    int64_t batchSize = 16;        ///< `batch_size`
    int64_t steps = 60000;         ///< `steps`
    int64_t threads = 2;           ///< `threads` (the CLI's --threads wins)
    bool bf16 = true;              ///< `bf16`: bf16 autocast
    bool channelsLast = true;      ///< `channels_last` memory format
    uint64_t seed = 1234;          ///< `seed`: weights, noise and data
    double emaDecay = 0.9995;      ///< `ema_decay`: 0 disables the EMA copy
    int64_t logEvery = 20;         ///< `log_every`: steps per history entry / progress line
    int64_t sampleEvery = 1000;    ///< `sample_every`: steps per sample grid, 0 = never
    int64_t checkpointEvery = 250; ///< `checkpoint_every`
    int64_t snapshotEvery = 10000; ///< `snapshot_every`: keep an EMA weight file, 0 = never
};

/// Run-time overrides of an experiment's loop: `bf16` 1 or 0 replaces `training.bf16` in
/// `loop` and in the stored config `source` (so checkpoints record it); −1 changes nothing.
void applyRunOverrides(LoopSection& loop, nlohmann::json& source, int bf16);

/// Reads and checks the `optimizer:` keys; returns the first problem or "".
std::string readOptimizerSection(const nlohmann::json& section, OptimizerSection& o);
/// Reads and checks the common `training:` keys into `l`; the caller reads its own keys with
/// the same section and calls finish().
void readLoopSection(ConfigSection& section, LoopSection& l);

/// An InvalidRequest error prefixed "training config: ".
Error configError(const std::string& message);
/// Checks that `root` is a mapping whose keys are all in `sections` (`what` lists them for
/// the message, e.g. "model, data, optimizer, loss and training").
Result<void> checkConfigSections(const nlohmann::json& root,
                                 std::initializer_list<const char*> sections,
                                 const std::string& what);

/// The `name` section of a config, or an empty mapping when it is absent.
const nlohmann::json& sectionOf(const nlohmann::json& root, const char* name);

/// Reads a YAML training config into `Config` (through its fromJson); errors name the file.
template <typename Config> Result<Config> readConfigFile(const std::string& path)
{
    auto yaml = readYamlAsJson(path);
    if (!yaml)
        return yaml.error();
    auto config = Config::fromJson(*yaml);
    if (!config)
        return makeError(config.error().code, path + ": " + config.error().message);
    return config;
}

} // namespace ldm::train
