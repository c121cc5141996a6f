// SPDX-License-Identifier: GPL-3.0-or-later
// FrozenCLIPEmbedder (Stable Diffusion 1.x): the Hugging Face CLIPTextModel that SD-1.x files
// store under `cond_stage_model.transformer.text_model.*`. Token ids [B, 77] -> context
// [B, 77, width]: pre-LN transformer, causal mask, quick-GELU, LayerNorm eps 1e-5, heads =
// width / 64 (openai/CLIP model.py; what the weights alone cannot say is in
// ../shared/fixtures/sd1/README.md). Tokenising is separate (prompt/clip_tokenizer.h).
#pragma once

#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <cstdint>

namespace ldm {

/// Hyper-parameters of a CLIP text tower (Hugging Face CLIPTextConfig names in comments).
/// The defaults are SD-1.x's openai/clip-vit-large-patch14 text model.
struct ClipTextConfig
{
    int64_t vocabSize = 49408;    ///< vocab_size
    int64_t width = 768;          ///< hidden_size: also the UNet's context_dim
    int64_t layers = 12;          ///< num_hidden_layers
    int64_t heads = 12;           ///< num_attention_heads (width / 64 in every released model)
    int64_t intermediate = 3072;  ///< intermediate_size of the MLP
    int64_t maxPositions = 77;    ///< max_position_embeddings: tokens per prompt chunk
    double layerNormEps = 1e-5;   ///< layer_norm_eps
    bool quickGelu = true;        ///< hidden_act quick_gelu (x·σ(1.702x)); false: exact GELU

    /// Reads the keys above by their Hugging Face names; absent keys keep the defaults.
    static Result<ClipTextConfig> fromJson(const nlohmann::json& json);
    /// The Hugging Face names of every field (inverse of fromJson).
    nlohmann::json toJson() const;
};

/// The text encoder of SD-1.x with the state-dict keys of FrozenCLIPEmbedder:
/// `transformer.text_model.embeddings.{token_embedding,position_embedding}.weight`,
/// `transformer.text_model.embeddings.position_ids` (buffer, accepted and unused for values),
/// `transformer.text_model.encoder.layers.{i}.{layer_norm1,self_attn.{q,k,v,out}_proj,
/// layer_norm2,mlp.fc1,mlp.fc2}.*`, `transformer.text_model.final_layer_norm.*`.
class ClipTextEncoderImpl : public torch::nn::Module
{
public:
    explicit ClipTextEncoderImpl(const ClipTextConfig& config = {});

    /// tokens: integer ids [B, n], n <= maxPositions -> [B, n, width].
    /// clipSkip 1 is the last layer's output (what SD-1.x uses), 2 the penultimate layer's
    /// (A1111 "Clip skip: 2"), ...; every choice passes through final_layer_norm, as A1111 does.
    /// Throws (c10::Error) on ids out of range or clipSkip outside [1, layers].
    torch::Tensor forward(const torch::Tensor& tokens, int64_t clipSkip = 1);

    /// The token embeddings of ids [B, n] -> [B, n, width], before positions are added: where
    /// textual-inversion vectors replace those of their placeholder tokens.
    /// Throws (c10::Error) on ids out of range.
    torch::Tensor tokenEmbeddings(const torch::Tensor& tokens);
    /// forward() from token embeddings [B, n, width] (Hugging Face's `inputs_embeds`).
    torch::Tensor forwardEmbeddings(const torch::Tensor& embeddings, int64_t clipSkip = 1);

    const ClipTextConfig& config() const { return m_config; }

private:
    struct Layer
    {
        torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
        torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, out{nullptr};
        torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    };
    torch::Tensor attention(Layer& layer, const torch::Tensor& x, const torch::Tensor& mask);

    ClipTextConfig m_config;
    torch::nn::Embedding m_tokenEmbedding{nullptr};
    torch::nn::Embedding m_positionEmbedding{nullptr};
    torch::Tensor m_positionIds;
    std::vector<Layer> m_layers;
    torch::nn::LayerNorm m_finalNorm{nullptr};
};

TORCH_MODULE(ClipTextEncoder);

} // namespace ldm
