// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/state_dict.h"

#include "core/safetensors_header.h"

#include <algorithm>
#include <set>

namespace ldm::io {

namespace {

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool isIgnored(const std::string& name, const std::vector<std::string>& ignored)
{
    return std::any_of(ignored.begin(), ignored.end(),
                       [&](const std::string& prefix) { return startsWith(name, prefix); });
}

std::string shapeOf(const torch::Tensor& tensor)
{
    return formatShape(tensor.sizes().vec());
}

// Parameters and buffers in registration order: the order a person reads the model in, which
// makes the "missing" list of a report easy to follow.
std::vector<std::pair<std::string, torch::Tensor>> namedTensors(const torch::nn::Module& module)
{
    std::vector<std::pair<std::string, torch::Tensor>> result;
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        if (item.value().defined())
            result.emplace_back(item.key(), item.value());
    }
    for (const auto& item : module.named_buffers(/*recurse=*/true)) {
        if (item.value().defined())
            result.emplace_back(item.key(), item.value());
    }
    return result;
}

} // namespace

std::string LoadReport::describe() const
{
    std::string text;
    for (const std::string& item : missing)
        text += "missing: " + item + "\n";
    for (const std::string& item : unexpected)
        text += "unexpected: " + item + "\n";
    for (const std::string& item : misshaped)
        text += "mis-shaped: " + item + "\n";
    if (!text.empty())
        text.pop_back();
    return text;
}

Result<LoadReport> loadStateDict(torch::nn::Module& module, const TensorMap& tensors,
                                 const std::string& prefix, const std::vector<std::string>& ignored)
{
    try {
        LoadReport report;
        std::vector<std::pair<torch::Tensor, torch::Tensor>> copies; // (destination, source)
        std::set<std::string> used;
        for (const auto& [name, destination] : namedTensors(module)) {
            if (isIgnored(name, ignored)) {
                ++report.ignored;
                continue;
            }
            const auto it = tensors.find(prefix + name);
            if (it == tensors.end() || !it->second.defined()) {
                report.missing.push_back(name + " " + shapeOf(destination));
                continue;
            }
            used.insert(it->first);
            if (it->second.sizes() != destination.sizes()) {
                report.misshaped.push_back(name + ": file " + shapeOf(it->second) + " vs model " +
                                           shapeOf(destination));
                continue;
            }
            copies.emplace_back(destination, it->second);
        }
        // The map is sorted, so all keys under the prefix form one contiguous run.
        for (auto it = tensors.lower_bound(prefix);
             it != tensors.end() && startsWith(it->first, prefix); ++it) {
            const std::string name = it->first.substr(prefix.size());
            if (isIgnored(name, ignored)) {
                ++report.ignored;
                continue;
            }
            if (!used.count(it->first))
                report.unexpected.push_back(
                    name + (it->second.defined() ? " " + shapeOf(it->second) : std::string()));
        }

        if (!report.clean()) {
            const std::string where = prefix.empty() ? "" : " under prefix '" + prefix + "'";
            return makeError(ErrorCode::WeightsMismatch,
                             "weights do not fit the model" + where + ": " +
                                 std::to_string(report.missing.size()) + " missing, " +
                                 std::to_string(report.unexpected.size()) + " unexpected, " +
                                 std::to_string(report.misshaped.size()) +
                                 " mis-shaped; nothing was loaded\n" + report.describe());
        }

        torch::NoGradGuard noGrad;
        for (auto& [destination, source] : copies)
            destination.copy_(source); // converts dtype and device
        report.loaded = copies.size();
        return report;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while loading weights");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal,
                         std::string("loading weights failed part-way: ") + e.what());
    }
}

TensorMap stateDict(const torch::nn::Module& module, const std::string& prefix)
{
    TensorMap result;
    for (const auto& [name, tensor] : namedTensors(module))
        result.emplace(prefix + name, tensor.detach().clone(torch::MemoryFormat::Contiguous));
    return result;
}

} // namespace ldm::io
