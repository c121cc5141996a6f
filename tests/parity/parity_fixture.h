// SPDX-License-Identifier: GPL-3.0-or-later
// Shared pieces of the parity runner: one reference file of the fixture folder, its tolerances
// and comparison helpers. See ../shared/fixtures/parity/FORMAT.md for the file kinds.
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "sampling/sampler.h"
#include "core/state_dict.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <string>

namespace ldm::parity {

/// One fixture file, opened, with the tolerance table of its folder.
class Fixture {
public:
    Fixture(std::filesystem::path path, io::SafetensorsFile file, nlohmann::json tolerances);

    const std::filesystem::path& path() const { return m_path; }
    std::string fileName() const { return m_path.filename().string(); }
    const io::SafetensorsFile& file() const { return m_file; }

    bool has(const std::string& tensor) const { return m_file.contains(tensor); }
    /// The stored tensor as a contiguous CPU copy (float32 stays float32, int64 stays int64).
    /// Fails the test (ADD_FAILURE) and returns an undefined tensor when absent.
    torch::Tensor get(const std::string& tensor) const;

    bool hasMeta(const std::string& key) const;
    /// A metadata string ("" when absent).
    std::string meta(const std::string& key) const;
    /// A metadata value parsed as JSON (null when absent or not JSON).
    nlohmann::json metaJson(const std::string& key) const;

    /// All tensors of the weight files named in __metadata__.weights (same folder), merged.
    /// Fails the test when a file is missing or unreadable.
    io::TensorMap loadWeights() const;
    /// Options that load the named weight files as the reference ran them: the CompVis
    /// `model_config` this file records (a config.yaml's model.params), when it has one.
    LoadOptions loadOptions() const;
    /// The weight files' merged metadata (later files win), for configs such as `config`.
    std::map<std::string, std::string> weightsMetadata() const;

    /// The tolerance for an output tensor whose reference peaks at maxAbsRef. With an entry in
    /// tolerances.json: max(20 x float32 floor, 1e-5) for forward outputs, for sampler latents
    /// (x_steps, pred_x0_steps, samples) also at least max(1e-5 x max|ref|, 1e-3). Without one:
    /// max(1e-4, 1e-5 x max|ref|), and 1e-3 x max|ref| for a sampler file's latents and image.
    double tolerance(const std::string& tensor, double maxAbsRef) const;

    /// Compares `ours` with the stored reference `tensor` at tolerance(tensor) (exact for
    /// integer tensors), records a gtest failure naming the tensor and error when outside,
    /// and prints the max error either way. Returns the max abs error.
    double expectClose(const std::string& tensor, const torch::Tensor& ours) const;

    /// The compared tensor closest to (or furthest past) its bound, for the summary line.
    struct Worst {
        std::string tensor;
        double error = 0, bound = 0;
    };
    const Worst& worst() const { return m_worst; }

private:
    std::filesystem::path m_path;
    io::SafetensorsFile m_file;
    nlohmann::json m_tolerances; // this file's entry of tolerances.json
    bool m_isSampler = false;
    mutable Worst m_worst;
};

/// Runs `sampler` from the fixture's `x_T` with `eps` (which records its raw outputs in
/// `calls`), drawing noise from `noise_steps` when the sampler asks, and compares
/// model_out_calls, x_steps, pred_x0_steps and samples. Returns the samples (undefined after a
/// failure), for the caller to decode and compare.
torch::Tensor sampleAndCompare(const Fixture& fixture, const Sampler& sampler, const EpsModel& eps,
                               const std::vector<torch::Tensor>& calls);

/// Every handler runs one fixture kind; each compares all reference outputs of the file.
void runUnetFixture(const Fixture& fixture);
void runAutoencoderKlFixture(const Fixture& fixture);
void runVqFixture(const Fixture& fixture);
void runTextEncoderFixture(const Fixture& fixture);
/// `tokens` -> `emb` (+ `emb_clip_skip2`, `emb_last`) through the text encoder of the single
/// checkpoint named in `weights` (Stable Diffusion single files: CLIP, OpenCLIP).
void runCheckpointTextFixture(const Fixture& fixture);
/// True for the `kind` of a tokenizer case file ("clip_tokenizer_cases", ...).
bool isTokenizerCaseKind(const std::string& kind);
/// Checks every prompt of a tokenizer case file against its reference ids.
void runTokenizerCases(const std::filesystem::path& path);
void runSamplerFixture(const Fixture& fixture);
/// SD x4 upscaler run (`x_aug`, `lr`): noise-augmented low-res image concatenated, noise level
/// as the class label, OpenCLIP prompt with guidance, v-prediction DDIM, f4 decode.
void runLatentUpscalerFixture(const Fixture& fixture);
/// Inpainting-model DDIM run (inpainting_big layout): masked-image latent + mask as concat input.
void runInpaintFixture(const Fixture& fixture);
/// The paper's semantic synthesis / super-resolution run from a CompVis release folder
/// (model.ckpt + config.yaml): map or low-res image as concat input, DDIM with replayed noise.
void runPaperFixture(const Fixture& fixture);
/// Stable Diffusion inpainting file (9-channel UNet, LatentInpaintDiffusion): mask + scaled
/// masked-image latent as concat input, DDIM with guidance.
void runSdInpaintFixture(const Fixture& fixture);
void runWeightsFixture(const Fixture& fixture);
/// ControlNet sampling run (`hint` + `control_strength`): lllyasviel's ControlLDM over an SD base.
void runControlNetFixture(const Fixture& fixture);
/// True when the file holds `control_model.*` ControlNet weights, alone or (v1.0 files) with
/// the SD model they were trained on.
bool isControlNetWeights(const io::SafetensorsFile& file);
/// A ControlNet weights file: its layout, and a clean load onto the base a sampler file names.
void runControlNetWeightsFixture(const Fixture& fixture);
/// AUTOMATIC1111's noise generators (a1111_rng): every draw bit for bit.
void runA1111RngFixture(const Fixture& fixture);
/// An A1111 txt2img run with a k-diffusion sampler (a1111 folder).
void runA1111SamplerFixture(const Fixture& fixture);
/// Many A1111 txt2img runs' final latents, one per sampler and schedule type (`runs` metadata).
void runA1111MatrixFixture(const Fixture& fixture);
/// The shared fixture root (LDM_FIXTURES_DIR, default ../shared/fixtures), for fixtures kept in
/// this repository that name weights there.
std::filesystem::path fixturesRoot();

} // namespace ldm::parity
