// SPDX-License-Identifier: GPL-3.0-or-later
// One entry of input_blocks / middle_block / output_blocks (`TimestepEmbedSequential`):
// layers registered as "0", "1", ... and each fed what it needs.
#pragma once

#include "unet/attention_block.h"
#include "unet/res_block.h"
#include "unet/spatial_transformer.h"
#include "unet/up_down_sample.h"

#include <torch/torch.h>

#include <variant>
#include <vector>

namespace ldm::unet {

/// A sequence where ResBlocks get (h, emb), SpatialTransformers (h, context), others (h).
class TimestepEmbedSequentialImpl : public torch::nn::Module
{
public:
    /// Every layer kind a UNet block may hold (the first conv of input_blocks.0 included).
    using Layer = std::variant<ResBlock, AttentionBlock, SpatialTransformer, Downsample, Upsample,
                               torch::nn::Conv2d>;

    /// Appends a layer under the next index name.
    void append(const Layer& layer);
    /// Number of layers.
    size_t size() const { return m_layers.size(); }
    /// The layer at `index` (for tests and introspection).
    const Layer& at(size_t index) const { return m_layers.at(index); }

    /// Runs the layers in order.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb,
                          const torch::Tensor& context);

private:
    std::vector<Layer> m_layers;
};
TORCH_MODULE(TimestepEmbedSequential);

} // namespace ldm::unet
