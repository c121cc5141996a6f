// SPDX-License-Identifier: GPL-3.0-or-later
// FirstStage: one face for both first-stage kinds, so pipelines treat KL and VQ alike.
//
// Usage:
//     auto config = AutoencoderConfig::fromJson(yaml["model"]["params"]["first_stage_config"]
//                                                    ["params"]);          // or fromMetadata
//     auto stage = FirstStage::create(*config);                           // Result<FirstStage>
//     stage->load(checkpointTensors);                                     // "first_stage_model."
//     c10::InferenceMode guard;                                           // per thread
//     torch::Tensor z = stage->encodeLatent(image, generator) * scaleFactor;
//     torch::Tensor img = stage->decodeLatent(z / scaleFactor);           // about [−1, 1]
//
// What the latent is: KL → a sample of the posterior (mean + std·noise), as LDM's
// get_first_stage_encoding does; VQ → the UNQUANTISED quant_conv(encoder(x)). decodeLatent
// quantises VQ latents first, as decode_first_stage does. The LDM scale_factor is not applied
// here: it belongs to the diffusion model's config.
//
// Thread safety: a FirstStage is a shared handle (copies share the weights). Forward calls do
// not mutate the module and may run concurrently; loading or moving it must not overlap them.
// Images are [B, in_channels, H, W] in [−1, 1]; H and W should be multiples of downFactor()
// (checkImage() says why not). Forward calls throw c10::Error only when given tensors that
// checkImage()/checkLatent() reject, or when memory runs out.
#pragma once

#include "core/state_dict.h"
#include "first_stage/autoencoder_kl.h"
#include "first_stage/first_stage_config.h"
#include "first_stage/vq_model.h"
#include "ldm/result.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace ldm {

/// An AutoencoderKL or a VQModel behind one interface.
class FirstStage
{
public:
    /// Validates the config and builds the model (random weights, eval mode, float32, CPU).
    static Result<FirstStage> create(const AutoencoderConfig& config) noexcept;

    /// The config it was built from.
    const AutoencoderConfig& config() const { return m_config; }
    /// True for VQModel, false for AutoencoderKL.
    bool isVq() const { return m_config.isVq(); }
    /// Image size / latent size (4 for f4, 8 for f8, ...).
    int64_t downFactor() const { return m_config.ddconfig.downFactor(); }
    /// Channels of the latent the diffusion model sees (embed_dim).
    int64_t latentChannels() const { return m_config.embedDim; }
    /// Channels of the images it encodes (in_channels).
    int64_t imageChannels() const { return m_config.ddconfig.inChannels; }
    /// Latent shape for a batch of `height`×`width` images: [B, embed_dim, H/f, W/f].
    std::vector<int64_t> latentShape(int64_t batch, int64_t height, int64_t width) const;

    /// Ok when `x` is a float [B, in_channels, H, W] image batch with H and W positive multiples
    /// of downFactor(); otherwise InvalidRequest saying what to change.
    Result<void> checkImage(const torch::Tensor& x) const;
    /// Ok when `z` is a float [B, embed_dim, h, w] latent batch.
    Result<void> checkLatent(const torch::Tensor& z) const;

    /// The diffusion latent of `x`. KL: mean + std·noise with `noise` shaped like the latent
    /// (an undefined `noise` gives the mean); VQ: quant_conv(encoder(x)), noise unused.
    torch::Tensor encodeLatent(const torch::Tensor& x, const torch::Tensor& noise = {}) const;
    /// As above, drawing KL noise from `cpuGenerator` on the CPU in float32 and then moving it
    /// to x's device, so one seed gives one latent on every device.
    torch::Tensor encodeLatent(const torch::Tensor& x, torch::Generator& cpuGenerator) const;
    /// The decoded image of a latent (VQ latents are quantised first): [B, out_ch, h·f, w·f].
    torch::Tensor decodeLatent(const torch::Tensor& z) const;

    /// Loads weights by CompVis name: the tensors under `prefix` ("" for a standalone
    /// first-stage checkpoint). Training-only `loss.*` entries are ignored. Anything missing,
    /// unexpected or mis-shaped fails with WeightsMismatch and loads nothing.
    Result<void> load(const io::TensorMap& tensors,
                      const std::string& prefix = "first_stage_model.") noexcept;

    /// The module, for loading, saving, moving to a device or training.
    torch::nn::Module& module() const { return *modulePtr(); }
    /// The module as a shared pointer (same object as module()).
    std::shared_ptr<torch::nn::Module> modulePtr() const;
    /// The KL model; a null holder for a VQ model.
    const AutoencoderKL& kl() const { return m_kl; }
    /// The VQ model; a null holder for a KL model.
    const VQModel& vq() const { return m_vq; }

private:
    FirstStage(AutoencoderConfig config, AutoencoderKL kl, VQModel vq);

    AutoencoderConfig m_config;
    AutoencoderKL m_kl{nullptr};
    VQModel m_vq{nullptr};
};

} // namespace ldm
