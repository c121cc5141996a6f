// SPDX-License-Identifier: GPL-3.0-or-later
#include "conditioning/open_clip_text_encoder.h"

#include "conditioning/json_config.h"

#include <nlohmann/json.hpp>

namespace ldm {

Result<OpenClipTextConfig> OpenClipTextConfig::fromJson(const nlohmann::json& json)
{
    OpenClipTextConfig config;
    detail::JsonReader reader(json, "OpenCLIP text");
    reader.read("vocab_size", config.vocabSize);
    reader.read("width", config.width);
    reader.read("layers", config.layers);
    reader.read("heads", config.heads);
    reader.read("mlp_width", config.mlpWidth);
    reader.read("context_length", config.contextLength);
    reader.read("embed_dim", config.embedDim);
    std::string layer = config.layerFromEnd == 1 ? "last" : "penultimate";
    reader.read("layer", layer);
    for (auto [key, value] :
         {std::pair{"vocab_size", config.vocabSize}, {"width", config.width},
          {"layers", config.layers}, {"heads", config.heads}, {"mlp_width", config.mlpWidth},
          {"context_length", config.contextLength}, {"embed_dim", config.embedDim}})
        reader.requirePositive(key, value);
    if (!reader.ok())
        return reader.error();
    if (layer != "last" && layer != "penultimate")
        return makeError(ErrorCode::InvalidFile,
                         "OpenCLIP text: layer must be last or penultimate, got " + layer);
    config.layerFromEnd = layer == "last" ? 1 : 2;
    if (config.width % config.heads || config.layerFromEnd > config.layers)
        return makeError(ErrorCode::InvalidFile, "OpenCLIP text: width " +
                                                     std::to_string(config.width) + ", " +
                                                     std::to_string(config.heads) + " heads, " +
                                                     std::to_string(config.layers) +
                                                     " layers do not fit together");
    return config;
}

nlohmann::json OpenClipTextConfig::toJson() const
{
    return {{"vocab_size", vocabSize}, {"width", width}, {"layers", layers},
            {"heads", heads}, {"mlp_width", mlpWidth}, {"context_length", contextLength},
            {"embed_dim", embedDim}, {"layer", layerFromEnd == 1 ? "last" : "penultimate"}};
}

OpenClipTextEncoderImpl::OpenClipTextEncoderImpl(const OpenClipTextConfig& config)
    : m_config(config)
{
    const int64_t w = config.width;
    auto model = register_module("model", std::make_shared<torch::nn::Module>());
    m_tokenEmbedding =
        model->register_module("token_embedding", torch::nn::Embedding(config.vocabSize, w));
    m_positionalEmbedding = model->register_parameter(
        "positional_embedding", torch::randn({config.contextLength, w}) * 0.01);
    auto transformer = model->register_module("transformer", std::make_shared<torch::nn::Module>());
    auto resblocks = transformer->register_module("resblocks", std::make_shared<torch::nn::Module>());
    const auto norm = [&] {
        return torch::nn::LayerNorm(torch::nn::LayerNormOptions({w}).eps(1e-5));
    };
    for (int64_t i = 0; i < config.layers; ++i) {
        auto node = resblocks->register_module(std::to_string(i), std::make_shared<torch::nn::Module>());
        auto attn = node->register_module("attn", std::make_shared<torch::nn::Module>());
        auto mlp = node->register_module("mlp", std::make_shared<torch::nn::Module>());
        Block block;
        block.ln1 = node->register_module("ln_1", norm());
        block.inProjWeight =
            attn->register_parameter("in_proj_weight", torch::randn({3 * w, w}) / std::sqrt(w));
        block.inProjBias = attn->register_parameter("in_proj_bias", torch::zeros({3 * w}));
        block.outProj = attn->register_module("out_proj", torch::nn::Linear(w, w));
        block.ln2 = node->register_module("ln_2", norm());
        block.fc = mlp->register_module("c_fc", torch::nn::Linear(w, config.mlpWidth));
        block.proj = mlp->register_module("c_proj", torch::nn::Linear(config.mlpWidth, w));
        m_blocks.push_back(block);
    }
    m_lnFinal = model->register_module("ln_final", norm());
    model->register_parameter("text_projection", torch::randn({w, config.embedDim}) / std::sqrt(w));
    model->register_parameter("logit_scale", torch::tensor(std::log(1.0 / 0.07)));
}

torch::Tensor OpenClipTextEncoderImpl::attention(Block& block, const torch::Tensor& x,
                                                 const torch::Tensor& mask)
{
    const int64_t b = x.size(0), n = x.size(1), h = m_config.heads;
    const int64_t d = m_config.width / h;
    const auto qkv = torch::nn::functional::linear(x, block.inProjWeight, block.inProjBias)
                         .view({b, n, 3, h, d})
                         .permute({2, 0, 3, 1, 4}); // [3, B, heads, n, d]
    const torch::Tensor q = qkv[0] * (1.0 / std::sqrt(double(d)));
    // Scores and softmax in float32 whatever the autocast dtype ("upcast attention").
    const torch::Tensor scores =
        torch::matmul(q, qkv[1].transpose(-1, -2)).to(torch::kFloat32) + mask;
    const torch::Tensor weights = torch::softmax(scores, -1).to(qkv.scalar_type());
    const torch::Tensor mixed = torch::matmul(weights, qkv[2]).transpose(1, 2).reshape({b, n, h * d});
    return block.outProj->forward(mixed);
}

torch::Tensor OpenClipTextEncoderImpl::forward(const torch::Tensor& tokens, int64_t layerFromEnd)
{
    return forwardEmbeddings(tokenEmbeddings(tokens), layerFromEnd);
}

torch::Tensor OpenClipTextEncoderImpl::tokenEmbeddings(const torch::Tensor& tokens)
{
    TORCH_CHECK(tokens.dim() == 2, "OpenCLIP text encoder: tokens must be [B, n]");
    const auto ids = tokens.to(torch::kLong);
    TORCH_CHECK(ids.numel() > 0 && ids.min().item<int64_t>() >= 0 &&
                    ids.max().item<int64_t>() < m_config.vocabSize,
                "OpenCLIP text encoder: token id outside 0..", m_config.vocabSize - 1);
    return m_tokenEmbedding->forward(ids);
}

torch::Tensor OpenClipTextEncoderImpl::forwardEmbeddings(const torch::Tensor& embeddings,
                                                         int64_t layerFromEnd)
{
    const int64_t fromEnd = layerFromEnd > 0 ? layerFromEnd : m_config.layerFromEnd;
    TORCH_CHECK(embeddings.dim() == 3 && embeddings.size(2) == m_config.width,
                "OpenCLIP text encoder: embeddings must be [B, n, ", m_config.width, "]");
    const int64_t n = embeddings.size(1);
    TORCH_CHECK(n >= 1 && n <= m_config.contextLength, "OpenCLIP text encoder: ", n,
                " tokens, at most ", m_config.contextLength);
    TORCH_CHECK(fromEnd >= 1 && fromEnd <= m_config.layers, "OpenCLIP layer ", fromEnd,
                " from the end is outside 1..", m_config.layers);
    torch::Tensor x = embeddings + m_positionalEmbedding.slice(0, 0, n);
    const torch::Tensor mask =
        torch::full({n, n}, -std::numeric_limits<float>::infinity(),
                    x.options().dtype(torch::kFloat32))
            .triu(1);
    const int64_t used = m_config.layers - (fromEnd - 1);
    for (int64_t i = 0; i < used; ++i) {
        Block& block = m_blocks[size_t(i)];
        x = x + attention(block, block.ln1->forward(x), mask);
        x = x + block.proj->forward(torch::gelu(block.fc->forward(block.ln2->forward(x))));
    }
    return m_lnFinal->forward(x);
}

} // namespace ldm
