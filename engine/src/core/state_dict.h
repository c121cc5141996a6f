// SPDX-License-Identifier: GPL-3.0-or-later
// Copies named tensors into a torch::nn::Module by their CompVis state-dict names.
#pragma once

#include "ldm/result.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace ldm::io {

/// Name -> tensor, as read from a checkpoint (any dtype; converted on load).
using TensorMap = std::map<std::string, torch::Tensor>;

/// What did not fit when loading a state dict.
/// Names are relative to the prefix, so they match the module's own names.
struct LoadReport {
    std::vector<std::string> missing;    ///< module parameters/buffers absent: "name [model shape]"
    std::vector<std::string> unexpected; ///< file tensors the module lacks: "name [file shape]"
    std::vector<std::string> misshaped;  ///< "name: file [a, b] vs model [c, d]"
    size_t loaded = 0;                   ///< tensors copied (on success)
    size_t ignored = 0;                  ///< file and module tensors skipped by `ignored`
    /// True when nothing is missing, unexpected or mis-shaped.
    bool clean() const { return missing.empty() && unexpected.empty() && misshaped.empty(); }
    /// Every problem, one per line, for an error message.
    std::string describe() const;
};

/// Loads `tensors` whose names start with `prefix` into `module` (names with the prefix
/// stripped must equal module->named_parameters()/named_buffers() names). Copies values with
/// dtype conversion to the module's dtype and device. Tensors in `ignored` prefixes (after
/// stripping) are neither loaded nor reported as unexpected.
/// Returns WeightsMismatch with LoadReport::describe() when anything is missing, unexpected
/// or mis-shaped; nothing is copied in that case. A module tensor under an `ignored` prefix
/// keeps its value and is not reported missing. Only a failure inside copy_ (Internal error)
/// can leave the module partly loaded.
Result<LoadReport> loadStateDict(torch::nn::Module& module, const TensorMap& tensors,
                                 const std::string& prefix = {},
                                 const std::vector<std::string>& ignored = {});

/// The module's parameters and buffers by name (for saving), with an optional prefix.
/// Values are detached contiguous clones, safe to keep while the module trains on.
TensorMap stateDict(const torch::nn::Module& module, const std::string& prefix = {});

} // namespace ldm::io
