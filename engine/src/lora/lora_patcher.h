// SPDX-License-Identifier: GPL-3.0-or-later
// LoRA merged into a loaded model's weights, and taken out again exactly.
//
// For each LoRA module matched to one of our layers with weight W (Linear or Conv2d):
//     W' = W + multiplier * scale * reshape(up_2d @ down_2d, W.shape)
// with up_2d = up as [out, rank], down_2d = down as [rank, in * kh * kw], scale = alpha / rank
// (1 without alpha), and the text-encoder or UNet multiplier by the layer's part: A1111's
// network_lora.py (rebuild_conventional, finalize_updown). LoCon's 3x3 down / 1x1 up and a 1x1
// conv's 2-D or 4-D matrices all take this one form. The merge runs in float32 and is added to
// the weights in place; the first time a weight is touched a copy of it is kept, and restore()
// copies those back, so taking LoRAs out gives the original weights bit for bit.
//
// Usage (the engine keeps one patcher per loaded model):
//     lora::LoraPatcher patcher;
//     auto report = patcher.set(model, {{path, "name", 0.8, 0.8}});  // nothing changes on error
//     ... sample ...
//     patcher.set(model, {});                                          // originals back
//
// Not thread-safe: call from the thread that owns the model, between requests.
#pragma once

#include "checkpoint/latent_diffusion.h"
#include "ldm/result.h"

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ldm::lora {

/// One LoRA file to merge and its multipliers.
struct LoraUse
{
    std::string path;
    std::string name;        ///< as the prompt names it (the recipe's "Lora hashes" entry)
    double textWeight = 1.0; ///< multiplier of the text-encoder layers
    double unetWeight = 1.0; ///< multiplier of the UNet layers
};

/// What merging a set of LoRAs did.
struct MergeReport
{
    int layers = 0;                    ///< our layers changed
    std::vector<std::string> hashes;   ///< "name: <12 hex>" per LoRA, in order, names once
    std::vector<std::string> warnings; ///< modules that matched nothing, unsupported kinds
};

class LoraPatcher
{
public:
    /// Makes `model`'s weights its original ones plus `uses` (none: the originals). A file that
    /// is unreadable, matches none of the model's layers or has a module whose shape does not
    /// fit its layer is an error, and then the weights are left as they were. Asking for the
    /// LoRAs already merged (same files, unchanged on disk, same multipliers) does no work.
    Result<MergeReport> set(LatentDiffusion& model, const std::vector<LoraUse>& uses);
    /// Puts every weight a LoRA changed back to its original value, bit for bit.
    void restore();
    /// True while some LoRA is merged.
    bool active() const { return !m_backups.empty(); }

private:
    struct Backup
    {
        torch::Tensor weight;   ///< the model's parameter (changed in place)
        torch::Tensor original; ///< its value before any LoRA
    };
    /// A file's identity for "already merged": path, size, modification time, multipliers.
    struct Stamp
    {
        std::string path;
        std::string name;
        double textWeight = 0, unetWeight = 0;
        uintmax_t size = 0;
        int64_t modified = 0;
        bool operator==(const Stamp& o) const;
    };
    std::vector<Backup> m_backups;
    std::vector<Stamp> m_applied;
    MergeReport m_report; ///< of the LoRAs merged now
    const void* m_model = nullptr;
};

} // namespace ldm::lora
