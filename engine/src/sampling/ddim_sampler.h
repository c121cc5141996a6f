// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sampling/ddim_table.h"
#include "sampling/sampler.h"

namespace ldm {

/// DDIM (ldm/models/diffusion/ddim.py): deterministic for η = 0; for η > 0 fresh noise is
/// added on every step, the last one included.
class DdimSampler final : public Sampler {
public:
    DdimSampler(const NoiseSchedule& schedule, int steps, double eta);
    std::vector<int64_t> timesteps() const override;
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise,
                                        const StepObserver& observer,
                                        int firstStep = 0) const override;

    /// One DDIM update for table entry `index` given ε; returns {x_prev, pred_x0}.
    /// `noise` may be undefined when σ = 0.
    static std::pair<torch::Tensor, torch::Tensor> step(const DdimTable& table, int index,
                                                        const torch::Tensor& x,
                                                        const torch::Tensor& eps,
                                                        const torch::Tensor& noise);

private:
    DdimTable m_table;
};

/// PLMS (ldm/models/diffusion/plms.py): pseudo linear multistep over the DDIM schedule with
/// η = 0; the first step evaluates the model twice.
class PlmsSampler final : public Sampler {
public:
    PlmsSampler(const NoiseSchedule& schedule, int steps);
    std::vector<int64_t> timesteps() const override;
    std::optional<torch::Tensor> sample(torch::Tensor xT, const EpsModel& model,
                                        const NoiseSource& noise,
                                        const StepObserver& observer,
                                        int firstStep = 0) const override;

private:
    DdimTable m_table;
};

} // namespace ldm
