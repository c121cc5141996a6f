// SPDX-License-Identifier: GPL-3.0-or-later
// The networks a benchmark times: a real checkpoint, or random-weight networks built from any
// CompVis config.yaml (speed does not depend on the weight values, so any published layout can
// be measured without its weights).
//
// Usage:
//     auto model = loadBenchModel({"sd_v1", "", findModelDir("")});   // Result<BenchModel>
//     model->unet->forward(x, t, context);                            // x [B, in_ch, h, w]
//
// Only the UNet and the first stage are built: the text encoder runs once per image, not once
// per step, and its cost is negligible next to them.
#pragma once

#include "first_stage/first_stage.h"
#include "ldm/result.h"
#include "unet/unet_model.h"

#include <optional>
#include <string>
#include <vector>

namespace ldm {

/// What to benchmark.
struct BenchModelSpec
{
    /// A checkpoint file, a shipped model name, a config.yaml, or the name of a config in the
    /// bench folder (resources/bench/<name>.yaml). May be empty when configYaml is given.
    std::string model;
    /// CompVis config.yaml: alone it means random weights; with a checkpoint it describes it.
    std::string configYaml;
    /// The shipped-models folder (findModelDir); the bench configs live beside it in `bench`.
    std::string modelDir;
};

/// The networks and the shapes a forward pass needs.
struct BenchModel
{
    std::string description;              ///< what was loaded or built, for the report
    bool randomWeights = false;           ///< built from a config rather than loaded
    UNetModel unet{nullptr};              ///< float32, CPU, eval mode
    std::optional<FirstStage> firstStage; ///< absent when the file or config has none
    int64_t latentFactor = 8;             ///< image pixels per latent pixel (first stage's f)
    int64_t contextLen = 0;               ///< cross-attention tokens (0: no spatial transformer)
    int64_t contextDim = 0;               ///< cross-attention width (0: none)
    int64_t unetParams = 0;               ///< UNet parameter count
    int64_t firstStageParams = 0;         ///< first-stage parameter count (encoder + decoder)
};

/// Resolves `spec.model` and builds or loads the networks. `contextLen` > 0 overrides the
/// context length the config implies (77 unless the text encoder says otherwise). Errors name
/// what was tried (unknown model, unreadable YAML, a config without a UNet, ...).
Result<BenchModel> loadBenchModel(const BenchModelSpec& spec, int64_t contextLen = 0);

/// The bench folder beside `modelDir` (<...>/bench), or empty when there is none.
std::string benchConfigDir(const std::string& modelDir);

/// Names of the configs in the bench folder (file names without .yaml).
std::vector<std::string> listBenchConfigs(const std::string& modelDir);

/// A fresh UNet with the same config and a copy of `source`'s weights (for comparing
/// precisions and layouts side by side in one process).
Result<UNetModel> copyUNet(const UNetModel& source);

} // namespace ldm
