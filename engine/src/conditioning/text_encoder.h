// SPDX-License-Identifier: GPL-3.0-or-later
// BERTEmbedder / TransformerEmbedder (ldm/modules/encoders/modules.py): the LDM text encoder.
// Token ids [B, n] -> the cross-attention context [B, n, n_embed] (all positions, no mask;
// the padding positions are part of the context). Tokenising is separate (tokenizer/).
#pragma once

#include "conditioning/x_transformer.h"
#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <cstdint>

namespace ldm {

/// Hyper-parameters of a BERTEmbedder, as in the `cond_stage_config.params` YAML block.
/// The defaults are those of the released LDM text-to-image model (txt2img-1p4B).
struct TextEncoderConfig
{
    int64_t nEmbed = 1280;     ///< n_embed: model width and context dimension
    int64_t nLayer = 32;       ///< n_layer: number of (attention, feed-forward) pairs
    int64_t vocabSize = 30522; ///< vocab_size
    int64_t maxSeqLen = 77;    ///< max_seq_len: tokens per prompt (padded to this)
    int64_t heads = 8;         ///< heads: not a CompVis key; the x-transformers default
    int64_t dimHead = 64;      ///< dim_head: not a CompVis key; the x-transformers default
    bool useTokenizer = true;  ///< use_tokenizer: false when the ids come ready-made (layout2img)

    /// Reads n_embed, n_layer, vocab_size, max_seq_len, use_tokenizer (and heads, dim_head
    /// when present); other keys such as `device` are ignored. Absent keys keep the defaults.
    static Result<TextEncoderConfig> fromJson(const nlohmann::json& json);

    /// The network shape this config describes.
    xtransformer::TransformerWrapperConfig transformerConfig() const;
};

/// BERTEmbedder without its HF tokenizer (TransformerEmbedder has the same network and keys).
/// State-dict keys: `transformer.token_emb.weight`, `transformer.pos_emb.emb.weight`,
/// `transformer.attn_layers.layers.{k}.{0,1}.*`, `transformer.norm.*`,
/// `transformer.to_logits.*` (unused but loaded, so checkpoints load cleanly).
class BertEmbedderImpl : public torch::nn::Module
{
public:
    explicit BertEmbedderImpl(const TextEncoderConfig& config = {});

    /// tokens: integer ids [B, n], n <= maxSeqLen, each in [0, vocabSize) -> [B, n, nEmbed].
    /// Throws (c10::Error) on ids or lengths out of range, like any torch module.
    torch::Tensor forward(const torch::Tensor& tokens);

    const TextEncoderConfig& config() const { return m_config; }

private:
    TextEncoderConfig m_config;
    xtransformer::TransformerWrapper m_transformer{nullptr};
};

TORCH_MODULE(BertEmbedder);

} // namespace ldm
