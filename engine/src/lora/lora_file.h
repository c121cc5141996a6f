// SPDX-License-Identifier: GPL-3.0-or-later
// LoRA files on disk: finding `<lora:name>` in a LoRA folder as A1111 does, and the short hash
// A1111 writes into "Lora hashes".
#pragma once

#include "core/safetensors.h"
#include "ldm/result.h"

#include <string>

namespace ldm::lora {

/// The file `name` stands for in `folder`: `folder/name.safetensors`, else a file of that name
/// in a subfolder (A1111 searches its Lora folder recursively), else the file whose metadata
/// gives it that alias (`ss_output_name`, the name A1111 writes into prompts by default). Names
/// with a folder part ("..", "/") are refused. A missing file is an InvalidRequest naming the
/// file looked for.
Result<std::string> findLoraFile(const std::string& folder, const std::string& name);

/// A1111's short hash of a LoRA file (networks' `shorthash`): the first 12 hex digits of the
/// file's `sshs_model_hash` metadata when it has one, else of the sha256 of everything after
/// the safetensors header (kohya's "addnet" hash, which A1111 computes for .safetensors), so
/// editing the metadata does not change it.
Result<std::string> loraShortHash(const io::SafetensorsFile& file);

/// The sha256 (64 hex digits) of a safetensors file's bytes after its header.
Result<std::string> safetensorsDataSha256(const std::string& path);

} // namespace ldm::lora
