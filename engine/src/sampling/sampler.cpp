// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/sampler.h"

#include "sampling/ancestral_samplers.h"
#include "sampling/ddim_sampler.h"
#include "sampling/k_samplers.h"

#include "ldm/recipe.h"

#include <algorithm>
#include <cctype>

namespace ldm {

const char* samplerKindName(SamplerKind kind)
{
    switch (kind) {
    case SamplerKind::Ddim: return "ddim";
    case SamplerKind::Plms: return "plms";
    case SamplerKind::Ddpm: return "ddpm";
    case SamplerKind::DpmSolverPlusPlus2MDdimGrid: return "dpmpp2m";
    case SamplerKind::Euler: return "euler";
    case SamplerKind::EulerAncestral: return "euler_a";
    case SamplerKind::Heun: return "heun";
    case SamplerKind::Lms: return "lms";
    case SamplerKind::Dpm2: return "dpm2";
    case SamplerKind::Dpm2Ancestral: return "dpm2_a";
    case SamplerKind::DpmPlusPlus2SAncestral: return "dpmpp_2s_a";
    case SamplerKind::DpmPlusPlus2M: return "dpmpp_2m";
    case SamplerKind::DpmPlusPlusSde: return "dpmpp_sde";
    case SamplerKind::DpmPlusPlus2MSde: return "dpmpp_2m_sde";
    case SamplerKind::DpmPlusPlus3MSde: return "dpmpp_3m_sde";
    case SamplerKind::Lcm: return "lcm";
    }
    return "?";
}

std::vector<SamplerKind> allSamplerKinds()
{
    return {SamplerKind::Ddim,           SamplerKind::Plms,
            SamplerKind::Ddpm,           SamplerKind::DpmSolverPlusPlus2MDdimGrid,
            SamplerKind::Euler,          SamplerKind::EulerAncestral,
            SamplerKind::Heun,           SamplerKind::Lms,
            SamplerKind::Dpm2,           SamplerKind::Dpm2Ancestral,
            SamplerKind::DpmPlusPlus2SAncestral, SamplerKind::DpmPlusPlus2M,
            SamplerKind::DpmPlusPlusSde, SamplerKind::DpmPlusPlus2MSde,
            SamplerKind::DpmPlusPlus3MSde, SamplerKind::Lcm};
}

Result<SamplerKind> parseSamplerKind(const std::string& name)
{
    // The recipe layer owns the names other tools write (A1111 labels, aliases, k-diffusion
    // function names); it maps each to one of our ids.
    const std::string id = samplerFromDisplayName(name);
    for (SamplerKind kind : allSamplerKinds())
        if (id == samplerKindName(kind))
            return kind;
    std::string ids;
    for (SamplerKind kind : allSamplerKinds())
        ids += std::string(ids.empty() ? "" : ", ") + samplerKindName(kind);
    return makeError(ErrorCode::InvalidRequest,
                     "unknown sampler '" + name + "' (choose " + ids +
                         ", or an AUTOMATIC1111 name such as \"Euler a\")");
}

std::vector<int64_t> ddimTimesteps(int64_t totalTimesteps, int64_t steps)
{
    std::vector<int64_t> out;
    if (steps < 1)
        return out;
    const int64_t stride = std::max<int64_t>(1, totalTimesteps / steps);
    // The reference would index past the schedule when the last τ + 1 reaches T (e.g. 3 or
    // 1000 steps of 1000); such entries are dropped, which leaves every working case unchanged.
    for (int64_t t = 0; t + 1 < totalTimesteps; t += stride)
        out.push_back(t + 1);
    return out;
}

Result<std::unique_ptr<Sampler>> makeSampler(SamplerKind kind, const NoiseSchedule& schedule,
                                             int steps, double eta, SigmaSchedule sigmaSchedule,
                                             std::optional<BrownianSource> brownian)
{
    const int64_t total = schedule.timesteps();
    if (steps < 1)
        return makeError(ErrorCode::InvalidRequest, "steps must be at least 1");
    if (isKDiffusionSampler(kind)) {
        if (steps > 10000)
            return makeError(ErrorCode::InvalidRequest, "steps must be at most 10000");
        return makeKDiffusionSampler(kind, schedule, steps, sigmaSchedule, 1.0,
                                     std::move(brownian));
    }
    if (!(eta >= 0.0 && eta <= 10.0))
        return makeError(ErrorCode::InvalidRequest, "eta must be between 0 and 10");
    if (kind == SamplerKind::Ddpm) {
        if (steps > total)
            return makeError(ErrorCode::InvalidRequest,
                             "DDPM takes at most " + std::to_string(total) + " steps");
        return std::unique_ptr<Sampler>(new DdpmSampler(schedule, steps));
    }
    if (steps > total)
        return makeError(ErrorCode::InvalidRequest, std::string(samplerKindName(kind)) +
                                                        " takes at most " + std::to_string(total) +
                                                        " steps");
    switch (kind) {
    case SamplerKind::Ddim: return std::unique_ptr<Sampler>(new DdimSampler(schedule, steps, eta));
    case SamplerKind::Plms:
        if (eta != 0.0)
            return makeError(ErrorCode::InvalidRequest, "PLMS requires eta = 0");
        return std::unique_ptr<Sampler>(new PlmsSampler(schedule, steps));
    case SamplerKind::DpmSolverPlusPlus2MDdimGrid:
        return std::unique_ptr<Sampler>(new DpmSolverPlusPlus2MSampler(schedule, steps));
    default: break;
    }
    return makeError(ErrorCode::Internal, "unhandled sampler kind");
}

} // namespace ldm
