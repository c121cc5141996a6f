// SPDX-License-Identifier: GPL-3.0-or-later
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ldm::parity {
namespace {

bool isSamplerLatent(const std::string& tensor)
{
    return tensor == "x_steps" || tensor == "pred_x0_steps" || tensor == "samples";
}

/// Outputs at the end of a multi-step chain (accumulated rounding), as the fixture READMEs
/// class them: sampler latents and the decoded image of a sampler file.
bool isChainOutput(const std::string& tensor)
{
    return isSamplerLatent(tensor) || tensor == "image" || tensor == "image_01" ||
           tensor == "inpainted_01" || tensor == "result" || tensor == "result_01" ||
           tensor == "denoised_calls";
}

std::vector<std::string> splitCommaList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (!item.empty())
            items.push_back(item);
    }
    return items;
}

} // namespace

Fixture::Fixture(std::filesystem::path path, io::SafetensorsFile file, nlohmann::json tolerances)
    : m_path(std::move(path))
    , m_file(std::move(file))
    , m_tolerances(std::move(tolerances))
    , m_isSampler(m_file.metadata().count("sampler") != 0 ||
                  m_file.metadata().count("a1111_sampler") != 0)
{
}

torch::Tensor Fixture::get(const std::string& tensor) const
{
    if (!m_file.contains(tensor)) {
        ADD_FAILURE() << fileName() << ": reference tensor '" << tensor << "' is missing";
        return {};
    }
    return m_file.tensor(tensor).clone().contiguous();
}

bool Fixture::hasMeta(const std::string& key) const
{
    return m_file.metadata().count(key) != 0;
}

std::string Fixture::meta(const std::string& key) const
{
    auto it = m_file.metadata().find(key);
    return it == m_file.metadata().end() ? std::string() : it->second;
}

nlohmann::json Fixture::metaJson(const std::string& key) const
{
    if (!hasMeta(key))
        return nullptr;
    auto parsed = nlohmann::json::parse(meta(key), nullptr, false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
}

io::TensorMap Fixture::loadWeights() const
{
    io::TensorMap merged;
    for (const auto& name : splitCommaList(meta("weights"))) {
        auto file = io::SafetensorsFile::open((m_path.parent_path() / name).string());
        if (!file) {
            ADD_FAILURE() << fileName() << ": weight file " << name << ": "
                          << file.error().message;
            continue;
        }
        for (const auto& info : file->tensors())
            merged[info.name] = file->tensor(info.name);
    }
    return merged;
}

LoadOptions Fixture::loadOptions() const
{
    LoadOptions options;
    const nlohmann::json config = metaJson("model_config");
    if (config.is_object())
        options.configParams = config;
    // The text tower's head count, which no weight shape holds, when the file records it.
    for (const char* key : {"clip", "open_clip"})
        if (const nlohmann::json sizes = metaJson(key); sizes.is_object())
            options.textHeads = sizes.value("heads", int64_t{0});
    return options;
}

std::map<std::string, std::string> Fixture::weightsMetadata() const
{
    std::map<std::string, std::string> merged;
    for (const auto& name : splitCommaList(meta("weights"))) {
        auto file = io::SafetensorsFile::open((m_path.parent_path() / name).string());
        if (!file)
            continue;
        for (const auto& [key, value] : file->metadata())
            merged[key] = value;
    }
    return merged;
}

double Fixture::tolerance(const std::string& tensor, double maxAbsRef) const
{
    if (!m_tolerances.is_object() || !m_tolerances.contains(tensor)) {
        // Folders without a tolerances.json (sd1, sd2, inpaint) state their bounds in their
        // READMEs: single calls max(1e-4, 1e-5 x max|ref|); chains 1e-3 x max|ref|.
        if (m_isSampler && isChainOutput(tensor))
            return std::max(1e-3 * maxAbsRef, 1e-4);
        return std::max(1e-4, 1e-5 * maxAbsRef);
    }
    const auto& entry = m_tolerances[tensor];
    const double floorErr = entry.value("max_abs_err", 0.0);
    const double maxRef = entry.value("max_abs_ref", 0.0);
    double tol = std::max(20.0 * floorErr, 1e-5);
    if (isSamplerLatent(tensor))
        tol = std::max({tol, 1e-5 * maxRef, 1e-3});
    return tol;
}

double Fixture::expectClose(const std::string& tensor, const torch::Tensor& ours) const
{
    const torch::Tensor ref = get(tensor);
    if (!ref.defined())
        return INFINITY;
    if (!ours.defined()) {
        ADD_FAILURE() << fileName() << ": no output computed for '" << tensor << "'";
        return INFINITY;
    }
    const torch::Tensor mine = ours.detach().to(torch::kCPU).contiguous();
    if (mine.sizes() != ref.sizes()) {
        ADD_FAILURE() << fileName() << ": '" << tensor << "' has shape " << mine.sizes()
                      << ", reference " << ref.sizes();
        return INFINITY;
    }
    if (!ref.is_floating_point()) {
        const int64_t mismatches = mine.to(ref.scalar_type()).ne(ref).sum().item<int64_t>();
        EXPECT_EQ(mismatches, 0) << fileName() << ": '" << tensor << "' differs in "
                                 << mismatches << " entries (integers must match exactly)";
        std::printf("  %-28s exact: %s\n", tensor.c_str(), mismatches == 0 ? "yes" : "NO");
        if (mismatches != 0)
            m_worst = {tensor, INFINITY, 1.0};
        return mismatches == 0 ? 0.0 : INFINITY;
    }
    const double err =
        (mine.to(torch::kFloat64) - ref.to(torch::kFloat64)).abs().max().item<double>();
    const double tol = tolerance(tensor, ref.abs().max().item<double>());
    if (m_worst.tensor.empty() || err / tol > m_worst.error / m_worst.bound)
        m_worst = {tensor, err, tol};
    EXPECT_LE(err, tol) << fileName() << ": '" << tensor << "' max abs error " << err
                        << " exceeds tolerance " << tol;
    std::printf("  %-28s max abs err %.3e  (tolerance %.1e)%s\n", tensor.c_str(), err, tol,
                err <= tol ? "" : "  FAIL");
    return err;
}

torch::Tensor sampleAndCompare(const Fixture& fixture, const Sampler& sampler, const EpsModel& eps,
                               const std::vector<torch::Tensor>& calls)
{
    const torch::Tensor recordedNoise =
        fixture.has("noise_steps") ? fixture.get("noise_steps") : torch::Tensor();
    const NoiseSource noise = [&](int step, at::IntArrayRef shape) {
        if (!recordedNoise.defined()) {
            ADD_FAILURE() << "the sampler asked for noise but the fixture has no noise_steps";
            return torch::zeros(shape);
        }
        return recordedNoise[step].view(shape);
    };
    std::vector<torch::Tensor> xs;
    std::vector<torch::Tensor> predX0s;
    const StepObserver observer = [&](const SamplerStep& step) {
        xs.push_back(step.x);
        predX0s.push_back(step.predX0);
        return true;
    };
    auto samples = sampler.sample(fixture.get("x_T"), eps, noise, observer);
    if (!samples.has_value()) {
        ADD_FAILURE() << fixture.fileName() << ": the sampler stopped early";
        return {};
    }
    fixture.expectClose("model_out_calls", torch::stack(calls));
    fixture.expectClose("x_steps", torch::stack(xs));
    fixture.expectClose("pred_x0_steps", torch::stack(predX0s));
    fixture.expectClose("samples", *samples);
    return *samples;
}

} // namespace ldm::parity
