// SPDX-License-Identifier: GPL-3.0-or-later
#include "bench/bench_compare.h"

#include "bench/bench_models.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace ldm {
namespace {

std::string variantName(const UNetRun& run)
{
    const char* precision = run.precision == BenchPrecision::Fp32   ? "fp32"
                            : run.precision == BenchPrecision::Bf16 ? "bf16 autocast"
                                                                    : "bf16 weights";
    return std::string(precision) + (run.channelsLast ? ", channels_last, " : ", NCHW, ") +
           std::to_string(run.threads) + (run.threads == 1 ? " thread" : " threads");
}

/// Weights differ per layout and dtype only: autocast runs share the float32 copies.
struct ModelKey
{
    bool channelsLast;
    bool bf16Weights;
    bool operator<(const ModelKey& o) const
    {
        return std::tie(channelsLast, bf16Weights) < std::tie(o.channelsLast, o.bf16Weights);
    }
};

} // namespace

Result<std::vector<CompareVariant>> compareUNetRuns(const UNetModel& unet, const StepInputs& inputs,
                                                    int threads, int steps)
{
    using P = BenchPrecision;
    std::vector<UNetRun> runs = {
        {P::Fp32, false, threads}, {P::Fp32, true, threads},        {P::Bf16, false, threads},
        {P::Bf16, true, threads},  {P::Bf16Weights, true, threads},
    };
    if (threads > 1) {
        runs.push_back({P::Fp32, true, 1});
        runs.push_back({P::Bf16, true, 1});
    }

    std::map<ModelKey, UNetModel> models;
    for (const UNetRun& run : runs) {
        const ModelKey key{run.channelsLast, run.precision == P::Bf16Weights};
        if (models.count(key))
            continue;
        auto copy = copyUNet(unet);
        if (!copy)
            return copy.error();
        prepareModule(**copy, run);
        models.emplace(key, copy.value());
    }
    const auto modelFor = [&](const UNetRun& run) {
        return models.at(ModelKey{run.channelsLast, run.precision == P::Bf16Weights});
    };

    std::vector<CompareVariant> variants;
    std::vector<std::vector<double>> times(runs.size());
    for (const UNetRun& run : runs)
        variants.push_back(CompareVariant{variantName(run), run, 0, {}, 0});
    // Round 0 is the warm-up; then each round runs every variant once at the same timestep.
    for (int round = 0; round <= std::max(1, steps); ++round) {
        const int64_t t = 999 - int64_t(round) * 999 / (std::max(1, steps) + 1);
        for (size_t i = 0; i < runs.size(); ++i) {
            UNetModel model = modelFor(runs[i]);
            auto s = timeOneUNetStep(model, inputs, runs[i], t);
            if (!s) {
                clearAutocastCache();
                return makeError(s.error().code, variants[i].name + ": " + s.error().message);
            }
            if (round == 0)
                variants[i].firstStepSeconds = *s;
            else
                times[i].push_back(*s);
        }
    }
    // Accuracy: every variant on the same input and timestep against the fp32 NCHW output.
    std::vector<torch::Tensor> outputs(runs.size());
    for (size_t i = 0; i < runs.size(); ++i) {
        UNetModel model = modelFor(runs[i]);
        auto s = timeOneUNetStep(model, inputs, runs[i], 500, &outputs[i]);
        if (!s) {
            clearAutocastCache();
            return s.error();
        }
    }
    clearAutocastCache();
    for (size_t i = 0; i < runs.size(); ++i) {
        variants[i].steps = summarize(std::move(times[i]));
        variants[i].relativeError = relativeError(outputs[i], outputs[0]);
    }
    return variants;
}

} // namespace ldm
