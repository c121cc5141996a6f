// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/config_section.h"

namespace ldm::train {

std::string readOptimizerSection(const nlohmann::json& section, OptimizerSection& o)
{
    ConfigSection s(section, "optimizer");
    s.read("lr", o.lr);
    s.read("lr_min", o.lrMin);
    s.read("schedule", o.schedule);
    s.read("warmup_steps", o.warmupSteps);
    std::vector<double> betas{o.beta1, o.beta2};
    s.read("betas", betas);
    s.read("weight_decay", o.weightDecay);
    s.read("grad_clip", o.gradClip);
    s.require(betas.size() == 2 && betas[0] >= 0 && betas[0] < 1 && betas[1] >= 0 && betas[1] < 1,
              "betas", "two numbers in [0, 1)");
    if (betas.size() == 2) {
        o.beta1 = betas[0];
        o.beta2 = betas[1];
    }
    s.require(o.lr > 0 && o.lr < 1, "lr", "in (0, 1)");
    s.require(o.lrMin >= 0 && o.lrMin <= o.lr, "lr_min", "in [0, lr]");
    s.require(o.schedule == "cosine" || o.schedule == "constant", "schedule",
              "\"cosine\" or \"constant\"");
    s.require(o.warmupSteps >= 0, "warmup_steps", ">= 0");
    s.require(o.weightDecay >= 0, "weight_decay", ">= 0");
    s.require(o.gradClip >= 0, "grad_clip", ">= 0");
    return s.finish();
}

void readLoopSection(ConfigSection& s, LoopSection& l)
{
    s.read("batch_size", l.batchSize);
    s.read("steps", l.steps);
    s.read("threads", l.threads);
    s.read("bf16", l.bf16);
    s.read("channels_last", l.channelsLast);
    s.read("seed", l.seed);
    s.read("ema_decay", l.emaDecay);
    s.read("log_every", l.logEvery);
    s.read("sample_every", l.sampleEvery);
    s.read("checkpoint_every", l.checkpointEvery);
    s.read("snapshot_every", l.snapshotEvery);
    s.require(l.batchSize >= 1 && l.batchSize <= 1024, "batch_size", "in [1, 1024]");
    s.require(l.steps >= 1, "steps", ">= 1");
    s.require(l.threads >= 1 && l.threads <= 256, "threads", "in [1, 256]");
    s.require(l.emaDecay >= 0 && l.emaDecay < 1, "ema_decay", "in [0, 1)");
    s.require(l.logEvery >= 1, "log_every", ">= 1");
    s.require(l.sampleEvery >= 0, "sample_every", ">= 0 (0 = never)");
    s.require(l.checkpointEvery >= 1, "checkpoint_every", ">= 1");
    s.require(l.snapshotEvery >= 0, "snapshot_every", ">= 0");
}

Error configError(const std::string& message)
{
    return makeError(ErrorCode::InvalidRequest, "training config: " + message);
}

Result<void> checkConfigSections(const nlohmann::json& root,
                                 std::initializer_list<const char*> sections,
                                 const std::string& what)
{
    if (!root.is_object())
        return configError("the file must be a mapping with " + what + " sections");
    for (const auto& item : root.items()) {
        bool known = false;
        for (const char* name : sections)
            known = known || item.key() == name;
        if (!known)
            return configError("unknown section '" + item.key() + "'");
    }
    return {};
}

const nlohmann::json& sectionOf(const nlohmann::json& root, const char* name)
{
    static const nlohmann::json empty = nlohmann::json::object();
    return root.contains(name) ? root.at(name) : empty;
}

void applyRunOverrides(LoopSection& loop, nlohmann::json& source, int bf16)
{
    if (bf16 < 0)
        return;
    loop.bf16 = bf16 > 0;
    if (source.is_object())
        source["training"]["bf16"] = loop.bf16;
}

} // namespace ldm::train
