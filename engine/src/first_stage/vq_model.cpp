// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/vq_model.h"

#include <algorithm>

namespace ldm {

namespace {

// Upper bound on pixels × codebook rows of distances held at once (64 MiB in float32); a
// 512² f4 image against 8192 codes would otherwise need 512 MiB.
constexpr int64_t MaxDistanceElements = int64_t{1} << 24;

} // namespace

VectorQuantizerImpl::VectorQuantizerImpl(int64_t nEmbed, int64_t embedDim)
{
    embedding = register_module(
        "embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(nEmbed, embedDim)));
    // taming's initialisation; only matters for a model that is trained from scratch.
    torch::NoGradGuard noGrad;
    embedding->weight.uniform_(-1.0 / static_cast<double>(nEmbed),
                               1.0 / static_cast<double>(nEmbed));
}

Quantized VectorQuantizerImpl::forward(const torch::Tensor& h)
{
    const auto codebook = embedding->weight;
    const int64_t dim = codebook.size(1);
    TORCH_CHECK(h.dim() == 4 && h.size(1) == dim, "VectorQuantizer: expected [B, ", dim,
                ", H, W], got ", h.sizes());

    const auto z = h.permute({0, 2, 3, 1}).contiguous(); // [B, H, W, C], pixel order (b, y, x)
    const auto flat = z.view({-1, dim}).to(torch::kFloat32);
    const auto e = codebook.to(torch::kFloat32);
    const auto eNorm = torch::sum(e.pow(2), 1); // [n_embed]
    const auto eT = e.t();

    const int64_t pixels = flat.size(0);
    const int64_t rows =
        std::max<int64_t>(1, MaxDistanceElements / std::max<int64_t>(1, e.size(0)));
    std::vector<torch::Tensor> indexParts;
    for (int64_t start = 0; start < pixels; start += rows) {
        const auto part = flat.slice(0, start, std::min(pixels, start + rows));
        // Same expression, order and einsum kernel as the reference: (‖z‖² + ‖e‖²) − 2·(z eᵀ).
        const auto d = torch::sum(part.pow(2), 1, /*keepdim=*/true) + eNorm -
                       2 * torch::einsum("bd,dn->bn", {part, eT});
        indexParts.push_back(torch::argmin(d, 1));
    }
    auto indices = indexParts.size() == 1 ? indexParts.front() : torch::cat(indexParts, 0);

    const auto selected = embedding->weight.index_select(0, indices).view(z.sizes());
    // Straight-through form: numerically z + (e − z), which may differ from e in the last bit.
    const auto zq = (z + (selected.to(z.scalar_type()) - z)).permute({0, 3, 1, 2}).contiguous();
    return Quantized{zq, indices};
}

torch::Tensor VectorQuantizerImpl::lookup(const torch::Tensor& indices)
{
    auto shape = indices.sizes().vec();
    shape.push_back(embedding->weight.size(1));
    return embedding->weight.index_select(0, indices.reshape({-1}).to(torch::kLong)).view(shape);
}

VQModelImpl::VQModelImpl(const AutoencoderConfig& config)
    : m_config(config)
{
    const auto& dd = config.ddconfig;
    encoder = register_module("encoder", Encoder(dd));
    decoder = register_module("decoder", Decoder(dd));
    quantConv = register_module("quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                  dd.zChannels, config.embedDim, 1)));
    postQuantConv = register_module("post_quant_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                           config.embedDim, dd.zChannels, 1)));
    quantizer = register_module("quantize", VectorQuantizer(config.nEmbed, config.embedDim));
}

torch::Tensor VQModelImpl::encode(const torch::Tensor& x)
{
    return quantConv(encoder(x));
}

Quantized VQModelImpl::quantize(const torch::Tensor& h)
{
    return quantizer(h);
}

torch::Tensor VQModelImpl::decode(const torch::Tensor& h, bool forceNotQuantize)
{
    const auto quant = forceNotQuantize ? h : quantizer(h).zq;
    return decoder(postQuantConv(quant));
}

} // namespace ldm
