// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/clip_text_encoder.h"

#include "conditioning/json_config.h"

#include <nlohmann/json.hpp>

namespace ldm {

Result<ClipTextConfig> ClipTextConfig::fromJson(const nlohmann::json& json)
{
    ClipTextConfig config;
    detail::JsonReader reader(json, "CLIPTextModel");
    reader.read("vocab_size", config.vocabSize);
    reader.read("hidden_size", config.width);
    reader.read("num_hidden_layers", config.layers);
    reader.read("num_attention_heads", config.heads);
    reader.read("intermediate_size", config.intermediate);
    reader.read("max_position_embeddings", config.maxPositions);
    reader.read("layer_norm_eps", config.layerNormEps);
    std::string act = config.quickGelu ? "quick_gelu" : "gelu";
    reader.read("hidden_act", act);
    for (auto [key, value] :
         {std::pair{"vocab_size", config.vocabSize}, {"hidden_size", config.width},
          {"num_hidden_layers", config.layers}, {"num_attention_heads", config.heads},
          {"intermediate_size", config.intermediate},
          {"max_position_embeddings", config.maxPositions}})
        reader.requirePositive(key, value);
    if (!reader.ok())
        return reader.error();
    if (act != "quick_gelu" && act != "gelu")
        return makeError(ErrorCode::InvalidFile,
                         "CLIPTextModel: hidden_act must be quick_gelu or gelu, got " + act);
    config.quickGelu = act == "quick_gelu";
    if (config.width % config.heads)
        return makeError(ErrorCode::InvalidFile,
                         "CLIPTextModel: hidden_size " + std::to_string(config.width) +
                             " is not a multiple of num_attention_heads " +
                             std::to_string(config.heads));
    return config;
}

nlohmann::json ClipTextConfig::toJson() const
{
    return {{"vocab_size", vocabSize},
            {"hidden_size", width},
            {"num_hidden_layers", layers},
            {"num_attention_heads", heads},
            {"intermediate_size", intermediate},
            {"max_position_embeddings", maxPositions},
            {"layer_norm_eps", layerNormEps},
            {"hidden_act", quickGelu ? "quick_gelu" : "gelu"}};
}

ClipTextEncoderImpl::ClipTextEncoderImpl(const ClipTextConfig& config)
    : m_config(config)
{
    // The CompVis/HF key path is transformer.text_model.{embeddings,encoder,final_layer_norm}.
    auto transformer = register_module("transformer", std::make_shared<torch::nn::Module>());
    auto textModel = transformer->register_module("text_model", std::make_shared<torch::nn::Module>());
    auto embeddings = textModel->register_module("embeddings", std::make_shared<torch::nn::Module>());
    m_tokenEmbedding = embeddings->register_module(
        "token_embedding", torch::nn::Embedding(config.vocabSize, config.width));
    m_positionEmbedding = embeddings->register_module(
        "position_embedding", torch::nn::Embedding(config.maxPositions, config.width));
    m_positionIds = embeddings->register_buffer(
        "position_ids", torch::arange(config.maxPositions, torch::kLong).unsqueeze(0));
    auto encoder = textModel->register_module("encoder", std::make_shared<torch::nn::Module>());
    auto layers = encoder->register_module("layers", std::make_shared<torch::nn::Module>());
    const auto norm = [&] {
        return torch::nn::LayerNorm(
            torch::nn::LayerNormOptions({config.width}).eps(config.layerNormEps));
    };
    for (int64_t i = 0; i < config.layers; ++i) {
        auto block = layers->register_module(std::to_string(i), std::make_shared<torch::nn::Module>());
        auto attn = block->register_module("self_attn", std::make_shared<torch::nn::Module>());
        auto mlp = block->register_module("mlp", std::make_shared<torch::nn::Module>());
        Layer layer;
        layer.norm1 = block->register_module("layer_norm1", norm());
        layer.q = attn->register_module("q_proj", torch::nn::Linear(config.width, config.width));
        layer.k = attn->register_module("k_proj", torch::nn::Linear(config.width, config.width));
        layer.v = attn->register_module("v_proj", torch::nn::Linear(config.width, config.width));
        layer.out = attn->register_module("out_proj", torch::nn::Linear(config.width, config.width));
        layer.norm2 = block->register_module("layer_norm2", norm());
        layer.fc1 = mlp->register_module("fc1", torch::nn::Linear(config.width, config.intermediate));
        layer.fc2 = mlp->register_module("fc2", torch::nn::Linear(config.intermediate, config.width));
        m_layers.push_back(layer);
    }
    m_finalNorm = textModel->register_module("final_layer_norm", norm());
}

torch::Tensor ClipTextEncoderImpl::attention(Layer& layer, const torch::Tensor& x,
                                             const torch::Tensor& mask)
{
    const int64_t b = x.size(0), n = x.size(1), h = m_config.heads;
    const int64_t d = m_config.width / h;
    auto split = [&](const torch::Tensor& t) { return t.view({b, n, h, d}).transpose(1, 2); };
    const torch::Tensor q = split(layer.q->forward(x)) * (1.0 / std::sqrt(double(d)));
    const torch::Tensor k = split(layer.k->forward(x));
    const torch::Tensor v = split(layer.v->forward(x));
    // Softmax in float32 whatever the autocast dtype: 77 tokens make this cheap.
    const torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)).to(torch::kFloat32) + mask;
    const torch::Tensor weights = torch::softmax(scores, -1).to(v.scalar_type());
    const torch::Tensor mixed = torch::matmul(weights, v).transpose(1, 2).reshape({b, n, h * d});
    return layer.out->forward(mixed);
}

torch::Tensor ClipTextEncoderImpl::forward(const torch::Tensor& tokens, int64_t clipSkip)
{
    return forwardEmbeddings(tokenEmbeddings(tokens), clipSkip);
}

torch::Tensor ClipTextEncoderImpl::tokenEmbeddings(const torch::Tensor& tokens)
{
    TORCH_CHECK(tokens.dim() == 2, "CLIP text encoder: tokens must be [B, n]");
    const auto ids = tokens.to(torch::kLong);
    TORCH_CHECK(ids.numel() > 0 && ids.min().item<int64_t>() >= 0 &&
                    ids.max().item<int64_t>() < m_config.vocabSize,
                "CLIP text encoder: token id outside 0..", m_config.vocabSize - 1);
    return m_tokenEmbedding->forward(ids);
}

torch::Tensor ClipTextEncoderImpl::forwardEmbeddings(const torch::Tensor& embeddings,
                                                     int64_t clipSkip)
{
    TORCH_CHECK(embeddings.dim() == 3 && embeddings.size(2) == m_config.width,
                "CLIP text encoder: embeddings must be [B, n, ", m_config.width, "]");
    const int64_t n = embeddings.size(1);
    TORCH_CHECK(n >= 1 && n <= m_config.maxPositions, "CLIP text encoder: ", n,
                " tokens, at most ", m_config.maxPositions);
    TORCH_CHECK(clipSkip >= 1 && clipSkip <= m_config.layers, "CLIP skip ", clipSkip,
                " is outside 1..", m_config.layers);
    // Position ids are 0..n-1 (the buffer holds exactly that in every released file).
    const torch::Tensor positions =
        torch::arange(n, torch::TensorOptions(torch::kLong).device(embeddings.device()));
    torch::Tensor x = embeddings + m_positionEmbedding->forward(positions);
    const torch::Tensor mask =
        torch::full({n, n}, -std::numeric_limits<float>::infinity(),
                    x.options().dtype(torch::kFloat32))
            .triu(1);
    const int64_t used = m_config.layers - (clipSkip - 1);
    for (int64_t i = 0; i < used; ++i) {
        Layer& layer = m_layers[size_t(i)];
        x = x + attention(layer, layer.norm1->forward(x), mask);
        torch::Tensor hidden = layer.fc1->forward(layer.norm2->forward(x));
        hidden = m_config.quickGelu ? hidden * torch::sigmoid(1.702 * hidden)
                                    : torch::gelu(hidden);
        x = x + layer.fc2->forward(hidden);
    }
    return m_finalNorm->forward(x);
}

} // namespace ldm
