// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sampling/noise_schedule.h"

#include <vector>

namespace ldm {

/// The per-step scalars of DDIMSampler.make_schedule, entry i belonging to timesteps[i]
/// (ascending). Values are float32 like the reference's buffers.
struct DdimTable {
    std::vector<int64_t> timesteps;
    std::vector<float> alphas;              ///< ᾱ[τ_i]
    std::vector<float> alphasPrev;          ///< ᾱ[τ_{i-1}]; ᾱ[0] for i = 0
    std::vector<float> sigmas;              ///< η·√((1−a_prev)/(1−a))·√(1−a/a_prev)
    std::vector<float> sqrtOneMinusAlphas;  ///< √(1−a_i), computed in float32

    static DdimTable build(const NoiseSchedule& schedule, const std::vector<int64_t>& timesteps,
                           double eta);
    int size() const { return static_cast<int>(timesteps.size()); }
};

} // namespace ldm
