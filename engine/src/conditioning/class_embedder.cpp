// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/class_embedder.h"

#include "conditioning/json_config.h"

#include <nlohmann/json.hpp>

namespace ldm {

Result<ClassEmbedderConfig> ClassEmbedderConfig::fromJson(const nlohmann::json& json)
{
    ClassEmbedderConfig config;
    detail::JsonReader reader(json, "ClassEmbedder");
    reader.read("n_classes", config.nClasses);
    reader.read("embed_dim", config.embedDim);
    reader.read("key", config.key);
    reader.requirePositive("n_classes", config.nClasses);
    reader.requirePositive("embed_dim", config.embedDim);
    if (!reader.ok()) {
        return reader.error();
    }
    return config;
}

ClassEmbedderImpl::ClassEmbedderImpl(const ClassEmbedderConfig& config)
    : m_config(config)
{
    m_embedding =
        register_module("embedding", torch::nn::Embedding(m_config.nClasses, m_config.embedDim));
}

torch::Tensor ClassEmbedderImpl::forward(const torch::Tensor& labels)
{
    // Embedding wants int64 indices; the context is one token per sample.
    return m_embedding->forward(labels.to(torch::kLong).reshape({-1})).unsqueeze(1);
}

} // namespace ldm
