// SPDX-License-Identifier: GPL-3.0-or-later
// Limits on untrusted input, in one place. Every file we read may be hostile or broken; each
// limit is checked BEFORE the work it bounds (allocating, decoding, parsing), so a forged
// header costs a message, not gigabytes or minutes. The numbers sit far above anything a real
// model, config or photo reaches, and each names what it protects.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ldm::limits {

// --- Images and label maps -----------------------------------------------------------------

/// Largest image accepted from a file, in pixels (64 megapixels: 192 MB decoded as RGB).
constexpr int64_t MaxImagePixels = 64ll * 1024 * 1024;
/// Largest width or height accepted from a file. A thin 1 x 60M strip is within the pixel
/// limit but no model input; this also keeps every row buffer small.
constexpr int MaxImageSide = 32768;
/// Smallest width or height: the first stage downsamples by 8, so fewer pixels give no latent.
constexpr int MinImageSide = 8;
/// Largest image file read into memory before decoding. A 64-megapixel PNG of noise is about
/// 200 MB; larger files are not images we can use.
constexpr int64_t MaxImageFileBytes = 512ll * 1024 * 1024;
/// Largest PNG chunk held in memory (text, palette, ICC profile), also after decompression.
/// A chunk's length field is read before its data: without this a 200-byte file claiming a
/// 1.8 GB text chunk made libpng allocate 1.8 GB. Real text chunks (A1111's `parameters`, our
/// recipe) are a few KB.
constexpr uint32_t MaxPngChunkBytes = 8u << 20;
/// Most ancillary chunks (text, sPLT, unknown) kept from one PNG.
constexpr uint32_t MaxPngAncillaryChunks = 1000;

// --- Safetensors ---------------------------------------------------------------------------

/// Largest safetensors header. Real checkpoints have headers of a few hundred KB; a larger
/// length field means a corrupt or hostile file, and we must not allocate for it.
constexpr uint64_t MaxSafetensorsHeaderBytes = 100ull * 1024 * 1024;
/// Most tensors in one safetensors file. SD 1.x with EMA holds ~1,800, SDXL ~2,500: 262,144
/// is a hundred times that, and bounds the parsed header (about 1 KB per entry) to ~300 MB.
constexpr size_t MaxSafetensorsTensors = 262144;
/// Deepest JSON nesting in a safetensors header. A real one nests three deep (root, entry,
/// shape); the check keeps a megabyte of '[' from costing deep recursion.
constexpr int MaxSafetensorsJsonDepth = 16;

// --- YAML configs --------------------------------------------------------------------------
// A real config (v1-inference.yaml) nests 6 deep with ~150 values; the limits stop hostile YAML
// before it costs memory: an alias may point at its own ancestor (a cycle) or be repeated so
// that a 1 KB file expands to billions of values.

/// Deepest YAML nesting.
constexpr int MaxYamlDepth = 64;
/// Most values a YAML document may expand to (after aliases).
constexpr size_t MaxYamlValues = 200000;
/// Largest YAML config file (4 MB).
constexpr int64_t MaxYamlBytes = 4ll << 20;

} // namespace ldm::limits
