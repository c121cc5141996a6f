// SPDX-License-Identifier: GPL-3.0-or-later
// ClassEmbedder (ldm/modules/encoders/modules.py): a class label becomes a one-token
// cross-attention context, e.g. for the class-conditional ImageNet LDM (cin256).
#pragma once

#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace ldm {

/// Hyper-parameters of a ClassEmbedder, as in the `cond_stage_config.params` YAML block.
struct ClassEmbedderConfig
{
    int64_t nClasses = 1000;   ///< n_classes (cin256-v2 uses 1001: label 1000 is unconditional)
    int64_t embedDim = 512;    ///< embed_dim: width of the context token
    std::string key = "class"; ///< key: which batch entry holds the labels (informational)

    /// Reads the CompVis keys; absent keys keep their defaults. Rejects non-positive sizes.
    static Result<ClassEmbedderConfig> fromJson(const nlohmann::json& json);
};

/// `c = embedding[labels][:, None, :]`. State-dict key: `embedding.weight [n_classes, dim]`.
class ClassEmbedderImpl : public torch::nn::Module
{
public:
    explicit ClassEmbedderImpl(const ClassEmbedderConfig& config = {});

    /// labels: integer [B] (any integer dtype) -> [B, 1, embedDim] context.
    torch::Tensor forward(const torch::Tensor& labels);

    const ClassEmbedderConfig& config() const { return m_config; }

private:
    ClassEmbedderConfig m_config;
    torch::nn::Embedding m_embedding{nullptr};
};

TORCH_MODULE(ClassEmbedder);

} // namespace ldm
