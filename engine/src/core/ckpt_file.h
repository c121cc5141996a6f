// SPDX-License-Identifier: GPL-3.0-or-later
// PyTorch zip checkpoints (.ckpt / .pt / .pth written by torch.save since 1.6) as tensors, and
// one entry point that opens either a safetensors file or such a checkpoint by its content.
//
// Safe by construction: data.pkl is read by a restricted unpickler (pickle_reader.h) that calls
// nothing; a file naming anything beyond a saved state dict is refused. Usage:
//
//     auto checkpoint = ldm::io::openCheckpointTensors(path); // .safetensors or .ckpt
//     if (!checkpoint)
//         return checkpoint.error();            // InvalidFile, message names path and problem
//     use(checkpoint->tensors, checkpoint->metadata);
//
// Thread safety: the functions share no state; the returned tensors may be read from any thread.
#pragma once

#include "core/state_dict.h"
#include "ldm/result.h"

#include <map>
#include <string>
#include <vector>

namespace ldm::io {

/// The file formats openCheckpointTensors() reads.
enum class CheckpointFormat { Safetensors, TorchZip };

/// The tensors of a checkpoint and what the file says about them.
///
/// Tensors are zero-copy, READ-ONLY views of a memory map of the file wherever possible (they
/// keep the mapping alive): clone() or convert with to() before modifying one in place. Views
/// of one PyTorch storage share its bytes, as in PyTorch. Copies are made only for BOOL data
/// (normalised to 0/1) and for data not aligned to its element size.
struct LoadedCheckpoint
{
    TensorMap tensors;
    /// safetensors: its __metadata__; PyTorch: `global_step` and `epoch` when the file has them.
    std::map<std::string, std::string> metadata;
    /// PyTorch only: entries not loaded (Lightning's optimizer_states, callbacks, ... and
    /// state-dict entries that are not tensors), for a report.
    std::vector<std::string> skipped;
    CheckpointFormat format = CheckpointFormat::Safetensors;
};

/// The safetensors spelling of a tensor's dtype ("F32", "BF16", "BOOL", ...), or torch's own
/// name for a dtype safetensors cannot store. For listings (inspect, convert).
std::string dtypeNameOf(const torch::Tensor& tensor);

/// True when the file starts like a zip archive ("PK\3\4"), as every torch.save file since
/// PyTorch 1.6 does, whatever its extension. False for files that cannot be read.
bool looksLikeTorchZip(const std::string& path);

/// Reads a PyTorch zip checkpoint: its state dict (the `state_dict` entry of a Lightning
/// checkpoint, else the top-level dict of tensors) with dtypes, shapes, strides and storage
/// offsets as saved. Refuses big-endian files, compressed members, records whose size does not
/// match their storage, views that reach outside their storage, and any pickled global outside
/// the allowlist. Errors are InvalidFile and start with the path. Never throws.
Result<LoadedCheckpoint> readTorchCheckpoint(const std::string& path);

/// Opens a checkpoint by its content: a PyTorch zip (see readTorchCheckpoint) or else a
/// safetensors file. Errors name the path and the problem (including the pre-1.6 PyTorch
/// format, which needs re-saving). Never throws.
Result<LoadedCheckpoint> openCheckpointTensors(const std::string& path);

} // namespace ldm::io
