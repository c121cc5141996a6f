// SPDX-License-Identifier: GPL-3.0-or-later
// The CompVis UNetModel (ldm/modules/diffusionmodules/openaimodel.py): predicts the noise
// eps(x_t, t, context) of a latent diffusion model. Parameter names equal the checkpoint's
// `model.diffusion_model.*` names without that prefix, so io::loadStateDict fills it by name.
//
// Usage:
//   auto config = UNetConfig::fromJson(json);          // validates
//   auto unet = makeUNetModel(*config);                 // Result<UNetModel>
//   io::loadStateDict(**unet, tensors, "model.diffusion_model.");
//   (*unet)->eval();
//   c10::InferenceMode guard;                           // per thread
//   torch::Tensor eps = (*unet)->forward(x, t, context);
//
// Concat conditioning is the caller's job (x = cat([latent, cond], 1)). The module is not
// thread-safe: one forward at a time.
#pragma once

#include "ldm/result.h"
#include "unet/timestep_block.h"
#include "unet/unet_config.h"

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace ldm {

/// The UNet. Inputs may be of any floating dtype and device; they are moved to the weights'
/// device and dtype, and the output is returned on x's device in x's dtype.
class UNetModelImpl : public torch::nn::Module
{
public:
    /// Receives a name ("t_emb", "emb", "input_blocks.3", "middle_block", "output_blocks.0")
    /// and the tensor produced there, for parity tests and debugging.
    using TraceFn = std::function<void(const std::string& name, const torch::Tensor& value)>;

    /// Builds the layout of `config`; throws c10::Error if config.validate() fails (use
    /// makeUNetModel for a non-throwing factory).
    explicit UNetModelImpl(const UNetConfig& config);

    /// eps for x [B, in_channels, H, W] (H, W multiples of 2^(levels-1)), timesteps [B] or a
    /// scalar (integer diffusion steps), context [B, M, context_dim] for cross-attention
    /// models, y [B] int64 class labels for class-conditional models (num_classes).
    /// `control`: a ControlNet's residuals (empty: none), one per input block then one for the
    /// middle block, already scaled; added to the middle block's output and to the skip tensors
    /// as the reference's ControlledUnetModel does.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& timesteps,
                          const torch::Tensor& context = {}, const torch::Tensor& y = {},
                          const std::vector<torch::Tensor>& control = {});

    /// Installs (or with an empty function removes) the intermediate-tensor hook.
    void setTrace(TraceFn trace) { m_trace = std::move(trace); }

    const UNetConfig& config() const { return m_config; }
    /// input_blocks in order (skip tensors are their outputs).
    const std::vector<unet::TimestepEmbedSequential>& inputBlocks() const { return m_inputBlocks; }
    /// output_blocks in order.
    const std::vector<unet::TimestepEmbedSequential>& outputBlocks() const
    {
        return m_outputBlocks;
    }
    /// middle_block.
    const unet::TimestepEmbedSequential& middleBlock() const { return m_middleBlock; }

private:
    void trace(const std::string& name, const torch::Tensor& value) const;
    /// `disableSelfAttn`: the level's (or middle block's) disable_self_attentions entry.
    unet::TimestepEmbedSequentialImpl::Layer makeAttention(int64_t channels, bool decoder,
                                                           bool disableSelfAttn) const;

    UNetConfig m_config;
    torch::nn::Linear m_timeLinear1{nullptr};
    torch::nn::Linear m_timeLinear2{nullptr};
    torch::nn::Embedding m_labelEmb{nullptr};
    std::vector<unet::TimestepEmbedSequential> m_inputBlocks;
    unet::TimestepEmbedSequential m_middleBlock{nullptr};
    std::vector<unet::TimestepEmbedSequential> m_outputBlocks;
    unet::GroupNormF32 m_outNorm{nullptr};
    torch::nn::Conv2d m_outConv{nullptr};
    TraceFn m_trace;
};
TORCH_MODULE(UNetModel);

/// Validates `config` and builds the model (float32, CPU, random weights). Never throws.
Result<UNetModel> makeUNetModel(const UNetConfig& config);

/// Number of parameter elements of a module (buffers excluded).
int64_t parameterCount(const torch::nn::Module& module);

} // namespace ldm
