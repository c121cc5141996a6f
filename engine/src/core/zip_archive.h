// SPDX-License-Identifier: GPL-3.0-or-later
// A bounds-checked reader of a zip archive's central directory, for PyTorch checkpoints.
//
// torch.save (since 1.6) writes a zip whose members are STORED (uncompressed) and 64-byte
// aligned, with zip64 records, so a member is just a byte range of the file and tensors can be
// views of a memory map. This reader therefore never inflates: it locates members and refuses
// compressed ones with a message saying how to repair the file. Torch-free on purpose, so it is
// fuzzed (tests/fuzz/fuzz_ckpt_pickle.cpp) and reviewed on its own.
#pragma once

#include "ldm/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ldm::io {

/// Most members we accept. A Stable Diffusion checkpoint has ~1,200; a central directory that
/// claims more is corrupt or hostile, and we must not allocate for it.
constexpr uint64_t MaxZipEntries = 1u << 20;

/// One member of the archive, as the central directory and its local header describe it.
struct ZipEntry
{
    std::string name;
    uint16_t method = 0;         ///< 0 stored, 8 deflate, anything else unsupported
    uint16_t flags = 0;          ///< general purpose bit flags (bit 0: encrypted)
    uint32_t crc32 = 0;          ///< CRC-32 of the uncompressed bytes
    uint64_t compressedSize = 0; ///< bytes in the file
    uint64_t size = 0;           ///< bytes once uncompressed
    uint64_t dataOffset = 0;     ///< first byte of the member's data in the file
    /// True for a STORED member, whose bytes are [dataOffset, dataOffset + size) of the file.
    bool stored() const { return method == 0; }
};

/// The central directory of a zip file held in memory (usually a read-only mapping).
/// Parsing checks every offset and length against the file; accessors then trust them.
class ZipArchive
{
public:
    /// Parses the archive in [data, data + size): finds the end-of-central-directory record
    /// (zip64 included), reads every entry and checks its local header. Never throws, never
    /// reads outside the range. Errors are InvalidFile and name the problem (not the file).
    static Result<ZipArchive> parse(const uint8_t* data, size_t size);

    /// Every member in central-directory order.
    const std::vector<ZipEntry>& entries() const { return m_entries; }
    /// The member called `name`, or nullptr.
    const ZipEntry* find(const std::string& name) const;

    /// The bytes of a member (from find()), which must be STORED and unencrypted; with
    /// `checkCrc` the CRC-32 is verified too (worth it for small members such as data.pkl, not
    /// for gigabytes of weights). The pointer is into the data given to parse().
    Result<const uint8_t*> storedBytes(const ZipEntry& entry, bool checkCrc) const;

private:
    const uint8_t* m_data = nullptr;
    size_t m_size = 0;
    std::vector<ZipEntry> m_entries;
    std::map<std::string, size_t> m_index;
};

/// CRC-32 (the zip polynomial) of [data, data + size).
uint32_t crc32Of(const uint8_t* data, size_t size);

/// A string from a file, made safe to print: truncated, control characters replaced.
std::string printable(const std::string& text, size_t maxShown = 80);

} // namespace ldm::io
