// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling/sampler.h"

#include "sampling/ancestral_samplers.h"
#include "sampling/ddim_sampler.h"

#include <algorithm>
#include <cctype>

namespace ldm {

const char* samplerKindName(SamplerKind kind)
{
    switch (kind) {
    case SamplerKind::Ddim: return "ddim";
    case SamplerKind::Plms: return "plms";
    case SamplerKind::Ddpm: return "ddpm";
    case SamplerKind::DpmPlusPlus2M: return "dpmpp2m";
    }
    return "?";
}

Result<SamplerKind> parseSamplerKind(const std::string& name)
{
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    for (SamplerKind kind : {SamplerKind::Ddim, SamplerKind::Plms, SamplerKind::Ddpm,
                             SamplerKind::DpmPlusPlus2M})
        if (lower == samplerKindName(kind))
            return kind;
    return makeError(ErrorCode::InvalidRequest,
                     "unknown sampler '" + name + "' (choose ddim, plms, ddpm or dpmpp2m)");
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
                                             int steps, double eta)
{
    const int64_t total = schedule.timesteps();
    if (steps < 1)
        return makeError(ErrorCode::InvalidRequest, "steps must be at least 1");
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
    case SamplerKind::DpmPlusPlus2M:
        return std::unique_ptr<Sampler>(new DpmSolverPlusPlus2MSampler(schedule, steps));
    case SamplerKind::Ddpm: break;
    }
    return makeError(ErrorCode::Internal, "unhandled sampler kind");
}

} // namespace ldm
