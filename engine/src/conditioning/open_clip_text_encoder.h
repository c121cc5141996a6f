// SPDX-License-Identifier: GPL-3.0-or-later
// FrozenOpenCLIPEmbedder (Stable Diffusion 2.x): open_clip's text tower as SD-2.x files store it
// under `cond_stage_model.model.*`. Token ids [B, 77] -> context [B, 77, width]: pre-LN blocks
// with nn.MultiheadAttention semantics (in_proj rows [q; k; v]), additive causal mask and no
// padding mask, exact (erf) GELU, LayerNorm eps 1e-5, heads = width / 64; SD-2.x reads the
// penultimate block's output through ln_final (see ../shared/fixtures/sd2/README.md).
#pragma once

#include "ldm/result.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include <cstdint>

namespace ldm {

/// Sizes of an OpenCLIP text tower (open_clip's CLIPTextCfg names in comments). The defaults
/// are ViT-H-14's, the text encoder of every SD-2.x release.
struct OpenClipTextConfig
{
    int64_t vocabSize = 49408;   ///< vocab_size
    int64_t width = 1024;        ///< width: also the UNet's context_dim
    int64_t layers = 24;         ///< layers
    int64_t heads = 16;          ///< heads (width / 64 in every released model)
    int64_t mlpWidth = 4096;     ///< width * mlp_ratio
    int64_t contextLength = 77;  ///< context_length
    int64_t embedDim = 1024;     ///< rows of text_projection's output (unused by SD)
    /// Which block output conditions the UNet, counted from the end: 1 = every block ("last"),
    /// 2 = all but the last ("penultimate", what SD-2.x uses). FrozenOpenCLIPEmbedder `layer`.
    int64_t layerFromEnd = 2;

    /// Reads the keys above (`layer`: "last" | "penultimate"); absent keys keep the defaults.
    static Result<OpenClipTextConfig> fromJson(const nlohmann::json& json);
    nlohmann::json toJson() const;
};

/// The text tower with open_clip's state-dict keys: `model.token_embedding.weight`,
/// `model.positional_embedding` (a bare parameter), `model.transformer.resblocks.{i}.{ln_1,
/// attn.in_proj_weight, attn.in_proj_bias, attn.out_proj, ln_2, mlp.c_fc, mlp.c_proj}`,
/// `model.ln_final`, and `model.text_projection` / `model.logit_scale` (loaded, unused).
class OpenClipTextEncoderImpl : public torch::nn::Module
{
public:
    explicit OpenClipTextEncoderImpl(const OpenClipTextConfig& config = {});

    /// tokens: integer ids [B, n], n <= contextLength -> [B, n, width], read `layerFromEnd`
    /// blocks from the end (0: the config's choice) and passed through ln_final.
    /// Throws (c10::Error) on ids out of range or a layer outside 1..layers.
    torch::Tensor forward(const torch::Tensor& tokens, int64_t layerFromEnd = 0);

    /// The token embeddings of ids [B, n] -> [B, n, width], before positions are added: where
    /// textual-inversion vectors replace those of their placeholder tokens.
    /// Throws (c10::Error) on ids out of range.
    torch::Tensor tokenEmbeddings(const torch::Tensor& tokens);
    /// forward() from token embeddings [B, n, width].
    torch::Tensor forwardEmbeddings(const torch::Tensor& embeddings, int64_t layerFromEnd = 0);

    const OpenClipTextConfig& config() const { return m_config; }

private:
    struct Block
    {
        torch::nn::LayerNorm ln1{nullptr}, ln2{nullptr};
        torch::Tensor inProjWeight, inProjBias;
        torch::nn::Linear outProj{nullptr}, fc{nullptr}, proj{nullptr};
    };
    torch::Tensor attention(Block& block, const torch::Tensor& x, const torch::Tensor& mask);

    OpenClipTextConfig m_config;
    torch::nn::Embedding m_tokenEmbedding{nullptr};
    torch::Tensor m_positionalEmbedding;
    std::vector<Block> m_blocks;
    torch::nn::LayerNorm m_lnFinal{nullptr};
};

TORCH_MODULE(OpenClipTextEncoder);

} // namespace ldm
