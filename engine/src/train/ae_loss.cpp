// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ae_loss.h"

#include <ATen/autocast_mode.h>
#include <torch/library.h>

namespace ldm::train {
namespace {

c10::optional<at::Tensor> toFloat(const c10::optional<at::Tensor>& tensor)
{
    if (tensor && tensor->defined())
        return tensor->to(at::kFloat);
    return tensor;
}

// Autocast kernels: compute the norms in fp32 (as LDM's GroupNorm32 does) and leave the fp32
// result to the next conv, which autocast casts back to bf16.
at::Tensor groupNormFp32(const at::Tensor& input, int64_t groups,
                         const c10::optional<at::Tensor>& weight,
                         const c10::optional<at::Tensor>& bias, double eps, bool cudnn)
{
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::AutocastCPU);
    return at::group_norm(input.to(at::kFloat), groups, toFloat(weight), toFloat(bias), eps, cudnn);
}

at::Tensor layerNormFp32(const at::Tensor& input, at::IntArrayRef shape,
                         const c10::optional<at::Tensor>& weight,
                         const c10::optional<at::Tensor>& bias, double eps, bool cudnn)
{
    c10::impl::ExcludeDispatchKeyGuard guard(c10::DispatchKey::AutocastCPU);
    return at::layer_norm(input.to(at::kFloat), shape, toFloat(weight), toFloat(bias), eps, cudnn);
}

} // namespace

TORCH_LIBRARY_IMPL(aten, AutocastCPU, m)
{
    m.impl("group_norm", TORCH_FN(groupNormFp32));
    m.impl("layer_norm", TORCH_FN(layerNormFp32));
}

void setBf16Autocast(bool enabled)
{
    at::autocast::set_cpu_enabled(enabled);
    if (enabled)
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    else
        at::autocast::clear_cache();
}

Bf16AutocastGuard::Bf16AutocastGuard(bool enabled)
    : m_previous(at::autocast::is_cpu_enabled())
    , m_enabled(enabled)
{
    if (m_enabled)
        setBf16Autocast(true);
}

Bf16AutocastGuard::~Bf16AutocastGuard()
{
    if (m_enabled)
        setBf16Autocast(m_previous);
}

torch::Tensor sobelGradients(const torch::Tensor& images)
{
    const int64_t channels = images.size(1);
    // Divided by 8 so a unit step edge gives about the same value as a pixel difference.
    auto kx = torch::tensor({-1.f, 0.f, 1.f, -2.f, 0.f, 2.f, -1.f, 0.f, 1.f}).view({1, 1, 3, 3});
    kx = kx.div(8.0).to(images.options());
    const auto ky = kx.transpose(2, 3);
    const auto weight = torch::cat({kx, ky}).repeat({channels, 1, 1, 1}); // [2C, 1, 3, 3]
    const auto padded = torch::replication_pad2d(images, {1, 1, 1, 1});
    namespace F = torch::nn::functional;
    return F::conv2d(padded, weight, F::Conv2dFuncOptions().groups(channels));
}

AeLossParts aeLoss(const torch::Tensor& input, const torch::Tensor& recon,
                   const Posterior& posterior, const AeLossConfig& weights)
{
    const auto x = input.to(torch::kFloat32);
    const auto y = recon.to(torch::kFloat32);
    AeLossParts parts;
    parts.l1 = (x - y).abs().mean();
    parts.edge = weights.edge > 0 ? (sobelGradients(x) - sobelGradients(y)).abs().mean()
                                  : torch::zeros({}, x.options());
    const auto mean = posterior.mean.to(torch::kFloat32);
    const auto logvar = posterior.logvar.to(torch::kFloat32);
    const int64_t batch = mean.size(0);
    parts.kl = 0.5 * (mean.square() + logvar.exp() - 1.0 - logvar).sum() / double(batch);
    // LDM sums both the reconstruction NLL and the KL per sample; dividing everything by the
    // pixels per sample keeps that balance while the logged numbers stay readable.
    const double pixelsPerSample = double(x[0].numel());
    parts.total = weights.l1 * parts.l1 + weights.edge * parts.edge +
                  (weights.klWeight / pixelsPerSample) * parts.kl;
    return parts;
}

} // namespace ldm::train
