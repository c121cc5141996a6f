// SPDX-License-Identifier: GPL-3.0-or-later
// The ControlNet of lllyasviel/ControlNet (cldm/cldm.py `ControlNet`): a trainable copy of a
// UNet's encoder half that reads a hint image (a segmentation, edge or depth map at pixel size)
// and returns one residual per skip connection plus one for the middle block. The base UNet adds
// them (UNetModelImpl::forward's `control`), so the base model itself is untouched.
//
// Usage:
//   ControlNetConfig config{baseUNetConfig, 3};
//   auto net = makeControlNet(config);                       // Result<ControlNet>
//   io::loadStateDict(**net, tensors, "control_model.");
//   c10::InferenceMode guard;                                // per thread
//   auto residuals = (*net)->forward(x, hint, t, context);  // input_blocks.size() + 1 tensors
//   auto eps = unet->forward(x, t, context, {}, residuals);
//
// Parameter names equal the checkpoint's `control_model.*` names without that prefix. The
// module is not thread-safe: one forward at a time.
#pragma once

#include "ldm/result.h"
#include "unet/timestep_block.h"
#include "unet/unet_config.h"

#include <torch/torch.h>

#include <vector>

namespace ldm {

/// A ControlNet's layout: the encoder of `unet` (same channels, levels, heads and attention
/// levels as the base it steers) plus the hint's channel count.
struct ControlNetConfig
{
    /// The encoder layout (the reference's `control_stage_config.params` without
    /// `hint_channels`); out_channels and the decoder fields are unused.
    UNetConfig unet;
    /// `hint_channels`: channels of the hint image (3 for every released SD-1.x ControlNet).
    int64_t hintChannels = 3;

    /// Checks the encoder layout (UNetConfig::validate) and the hint channels.
    Result<void> validate() const;
};

/// The ControlNet network. Inputs may be of any floating dtype and device; they follow the
/// weights, and the residuals are returned on x's device in x's dtype.
class ControlNetImpl : public torch::nn::Module
{
public:
    /// Builds the layout; throws c10::Error when config.validate() fails (use makeControlNet).
    explicit ControlNetImpl(const ControlNetConfig& config);

    /// Residuals for x [B, in_channels, h, w], hint [B, hint_channels, 8h, 8w] (pixel size:
    /// `input_hint_block` brings it down 8x to the latent), timesteps [B] or a scalar, context
    /// [B, M, context_dim]: the zero-conv output of every input block in order, then
    /// `middle_block_out`'s. Unscaled.
    std::vector<torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& hint,
                                       const torch::Tensor& timesteps,
                                       const torch::Tensor& context = {});

    const ControlNetConfig& config() const { return m_config; }
    /// Number of residuals forward() returns (input blocks + 1).
    size_t residualCount() const { return m_inputBlocks.size() + 1; }
    /// Downsampling factor of input_hint_block (pixel size / latent size): 8.
    static constexpr int64_t HintFactor = 8;

private:
    unet::TimestepEmbedSequentialImpl::Layer makeAttention(int64_t channels) const;

    ControlNetConfig m_config;
    torch::nn::Linear m_timeLinear1{nullptr};
    torch::nn::Linear m_timeLinear2{nullptr};
    torch::nn::Sequential m_hintBlock{nullptr};
    std::vector<unet::TimestepEmbedSequential> m_inputBlocks;
    std::vector<torch::nn::Conv2d> m_zeroConvs;
    unet::TimestepEmbedSequential m_middleBlock{nullptr};
    torch::nn::Conv2d m_middleOut{nullptr};
};
TORCH_MODULE(ControlNet);

/// Validates `config` and builds the network (float32, CPU, random weights). Never throws.
Result<ControlNet> makeControlNet(const ControlNetConfig& config);

} // namespace ldm
