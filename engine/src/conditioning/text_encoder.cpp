// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/text_encoder.h"

#include "conditioning/json_config.h"

#include <nlohmann/json.hpp>

namespace ldm {

Result<TextEncoderConfig> TextEncoderConfig::fromJson(const nlohmann::json& json)
{
    TextEncoderConfig config;
    detail::JsonReader reader(json, "BERTEmbedder");
    reader.read("n_embed", config.nEmbed);
    reader.read("n_layer", config.nLayer);
    reader.read("vocab_size", config.vocabSize);
    reader.read("max_seq_len", config.maxSeqLen);
    reader.read("heads", config.heads);
    reader.read("dim_head", config.dimHead);
    reader.read("use_tokenizer", config.useTokenizer);
    reader.requirePositive("n_embed", config.nEmbed);
    reader.requirePositive("n_layer", config.nLayer);
    reader.requirePositive("vocab_size", config.vocabSize);
    reader.requirePositive("max_seq_len", config.maxSeqLen);
    reader.requirePositive("heads", config.heads);
    reader.requirePositive("dim_head", config.dimHead);
    if (!reader.ok()) {
        return reader.error();
    }
    return config;
}

xtransformer::TransformerWrapperConfig TextEncoderConfig::transformerConfig() const
{
    xtransformer::TransformerWrapperConfig wrapper;
    wrapper.numTokens = vocabSize;
    wrapper.maxSeqLen = maxSeqLen;
    wrapper.dim = nEmbed;
    wrapper.depth = nLayer;
    wrapper.heads = heads;
    wrapper.dimHead = dimHead;
    return wrapper;
}

BertEmbedderImpl::BertEmbedderImpl(const TextEncoderConfig& config)
    : m_config(config)
{
    m_transformer = register_module("transformer",
                                    xtransformer::TransformerWrapper(m_config.transformerConfig()));
}

torch::Tensor BertEmbedderImpl::forward(const torch::Tensor& tokens)
{
    return m_transformer->forward(tokens);
}

} // namespace ldm
