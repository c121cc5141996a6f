// SPDX-License-Identifier: GPL-3.0-or-later
// bf16 autocast on the device a request runs on. LibTorch keeps separate switches for the CPU
// and CUDA autocast; enabling only the CPU one on a CUDA run would record "bf16" for an fp32
// computation.
#pragma once

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

namespace ldm {

/// Enables bf16 autocast for the current thread on `device` while alive (norms stay float32).
class AutocastScope {
public:
    AutocastScope(bool enabled, const torch::Device& device)
        : m_enabled(enabled)
        , m_cuda(device.is_cuda())
    {
        if (!m_enabled)
            return;
        if (m_cuda) {
            at::autocast::set_enabled(true);
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        } else {
            at::autocast::set_cpu_enabled(true);
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        }
    }
    ~AutocastScope()
    {
        if (!m_enabled)
            return;
        at::autocast::clear_cache();
        if (m_cuda)
            at::autocast::set_enabled(false);
        else
            at::autocast::set_cpu_enabled(false);
    }
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_enabled;
    bool m_cuda;
};

/// Suspends CPU and CUDA autocast on this thread while alive (restoring what was on), for
/// modules whose ops LibTorch 1.13 cannot mix: its CPU GroupNorm refuses a bf16 input with
/// float32 weights, which autocast produces in the first stage's blocks.
class AutocastPause {
public:
    AutocastPause()
        : m_cpu(at::autocast::is_cpu_enabled())
        , m_cuda(at::autocast::is_enabled())
    {
        at::autocast::set_cpu_enabled(false);
        at::autocast::set_enabled(false);
    }
    ~AutocastPause()
    {
        at::autocast::set_cpu_enabled(m_cpu);
        at::autocast::set_enabled(m_cuda);
    }
    AutocastPause(const AutocastPause&) = delete;
    AutocastPause& operator=(const AutocastPause&) = delete;

private:
    bool m_cpu;
    bool m_cuda;
};

/// The precisions a request may ask for; empty when `precision` is one of them, else the
/// message that refuses it.
inline std::string unsupportedPrecision(const std::string& precision)
{
    if (precision == "fp32" || precision == "bf16")
        return {};
    return "precision must be fp32 or bf16, got '" + precision + "'";
}

} // namespace ldm
