// SPDX-License-Identifier: GPL-3.0-or-later
#include "first_stage/first_stage.h"

#include <sstream>
#include <utility>

namespace ldm {

namespace {

std::string shapeText(const torch::Tensor& t)
{
    std::ostringstream out;
    out << t.sizes();
    return out.str();
}

} // namespace

FirstStage::FirstStage(AutoencoderConfig config, AutoencoderKL kl, VQModel vq)
    : m_config(std::move(config))
    , m_kl(std::move(kl))
    , m_vq(std::move(vq))
{
}

Result<FirstStage> FirstStage::create(const AutoencoderConfig& config) noexcept
{
    if (auto valid = config.validate(); !valid)
        return valid.error();
    try {
        AutoencoderKL kl{nullptr};
        VQModel vq{nullptr};
        if (config.isVq()) {
            vq = VQModel(config);
            vq->eval();
        } else {
            kl = AutoencoderKL(config);
            kl->eval();
        }
        return FirstStage(config, std::move(kl), std::move(vq));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "not enough memory to build the first stage");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal,
                         std::string("building the first stage failed: ") + e.what());
    }
}

std::vector<int64_t> FirstStage::latentShape(int64_t batch, int64_t height, int64_t width) const
{
    // Each autoencoder downsample maps n to floor(n / 2), so the levels compose to floor(n / f).
    return {batch, latentChannels(), height / downFactor(), width / downFactor()};
}

Result<void> FirstStage::checkImage(const torch::Tensor& x) const
{
    const int64_t f = downFactor();
    if (!x.defined() || x.dim() != 4 || !x.is_floating_point())
        return makeError(ErrorCode::InvalidRequest,
                         "the first stage expects a float image batch [B, C, H, W], got " +
                             (x.defined() ? shapeText(x) : std::string("nothing")));
    if (x.size(1) != imageChannels())
        return makeError(ErrorCode::InvalidRequest,
                         "the first stage expects " + std::to_string(imageChannels()) +
                             "-channel images, got " + std::to_string(x.size(1)));
    if (x.size(2) <= 0 || x.size(3) <= 0 || x.size(2) % f != 0 || x.size(3) % f != 0)
        return makeError(ErrorCode::InvalidRequest,
                         "image size " + std::to_string(x.size(3)) + "x" +
                             std::to_string(x.size(2)) + " must be a multiple of " +
                             std::to_string(f) + " (the autoencoder's down-sampling factor)");
    return {};
}

Result<void> FirstStage::checkLatent(const torch::Tensor& z) const
{
    if (!z.defined() || z.dim() != 4 || !z.is_floating_point() || z.size(2) <= 0 || z.size(3) <= 0)
        return makeError(ErrorCode::InvalidRequest,
                         "the first stage expects a float latent batch [B, C, h, w], got " +
                             (z.defined() ? shapeText(z) : std::string("nothing")));
    if (z.size(1) != latentChannels())
        return makeError(ErrorCode::InvalidRequest,
                         "the first stage expects " + std::to_string(latentChannels()) +
                             "-channel latents, got " + std::to_string(z.size(1)));
    return {};
}

torch::Tensor FirstStage::encodeLatent(const torch::Tensor& x, const torch::Tensor& noise) const
{
    if (m_vq)
        return m_vq.ptr()->encode(x);
    const auto posterior = m_kl.ptr()->encode(x);
    return noise.defined() ? posterior.sample(noise) : posterior.mean;
}

torch::Tensor FirstStage::encodeLatent(const torch::Tensor& x, torch::Generator& cpuGenerator) const
{
    if (m_vq)
        return m_vq.ptr()->encode(x);
    const auto posterior = m_kl.ptr()->encode(x);
    const auto noise = torch::randn(posterior.mean.sizes(), cpuGenerator,
                                    torch::TensorOptions().dtype(torch::kFloat32));
    return posterior.sample(noise.to(posterior.mean.device()));
}

torch::Tensor FirstStage::decodeLatent(const torch::Tensor& z) const
{
    return m_vq ? m_vq.ptr()->decode(z) : m_kl.ptr()->decode(z);
}

Result<void> FirstStage::load(const io::TensorMap& tensors, const std::string& prefix) noexcept
{
    try {
        auto report = io::loadStateDict(module(), tensors, prefix, {"loss."});
        if (!report)
            return report.error();
        return {};
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "not enough memory to load the first stage");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal,
                         std::string("loading the first stage failed: ") + e.what());
    }
}

std::shared_ptr<torch::nn::Module> FirstStage::modulePtr() const
{
    if (m_vq)
        return m_vq.ptr();
    return m_kl.ptr();
}

} // namespace ldm
