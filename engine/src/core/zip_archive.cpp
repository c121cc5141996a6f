// SPDX-License-Identifier: GPL-3.0-or-later
// Every offset and length read here comes from an untrusted file: each is checked against the
// file size (with overflow checks) before it is used, and each failure is an InvalidFile error.
#include "core/zip_archive.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

namespace ldm::io {

namespace {

constexpr uint32_t LocalHeaderSignature = 0x04034b50;
constexpr uint32_t CentralHeaderSignature = 0x02014b50;
constexpr uint32_t EndSignature = 0x06054b50;
constexpr uint32_t Zip64EndSignature = 0x06064b50;
constexpr uint32_t Zip64LocatorSignature = 0x07064b50;
constexpr uint16_t Zip64ExtraId = 0x0001;
constexpr size_t EndRecordSize = 22;
constexpr size_t Zip64LocatorSize = 20;
constexpr size_t Zip64EndRecordSize = 56;
constexpr size_t CentralHeaderSize = 46;
constexpr size_t LocalHeaderSize = 30;
constexpr size_t MaxCommentSize = 0xffff;

Error invalid(std::string message)
{
    return makeError(ErrorCode::InvalidFile, std::move(message));
}

uint64_t readLe(const uint8_t* p, int bytes)
{
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | p[i];
    return value;
}

// True when [offset, offset + length) lies inside a file of `size` bytes.
bool fits(uint64_t offset, uint64_t length, uint64_t size)
{
    return offset <= size && length <= size - offset;
}

struct Directory
{
    uint64_t entries = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
};

// The last end-of-central-directory record: it sits in the final 22 + 65535 bytes (the comment
// is at most 64 KB), and a record whose comment would run past the end is a false match.
Result<size_t> findEndRecord(const uint8_t* data, size_t size)
{
    if (size < EndRecordSize)
        return invalid("file is " + std::to_string(size) +
                       " bytes, too short for a zip archive (PyTorch checkpoints are zip files)");
    const size_t lowest =
        size - EndRecordSize > MaxCommentSize ? size - EndRecordSize - MaxCommentSize : 0;
    for (size_t at = size - EndRecordSize + 1; at-- > lowest;) {
        if (readLe(data + at, 4) != EndSignature)
            continue;
        const uint64_t commentSize = readLe(data + at + 20, 2);
        if (at + EndRecordSize + commentSize <= size)
            return at;
    }
    return invalid("no zip end-of-central-directory record: the file is truncated or not a zip "
                   "archive");
}

Result<Directory> readDirectoryLocation(const uint8_t* data, size_t size)
{
    auto endAt = findEndRecord(data, size);
    if (!endAt)
        return endAt.error();
    const uint8_t* end = data + *endAt;
    Directory directory{readLe(end + 10, 2), readLe(end + 16, 4), readLe(end + 12, 4)};
    bool multiVolume = readLe(end + 4, 2) != 0 || readLe(end + 6, 2) != 0;

    // A zip64 locator right before the end record points at the 64-bit end record, whose values
    // win (torch always writes one; the 32-bit fields are then often saturated).
    if (*endAt >= Zip64LocatorSize) {
        const uint8_t* locator = end - Zip64LocatorSize;
        if (readLe(locator, 4) == Zip64LocatorSignature) {
            const uint64_t at = readLe(locator + 8, 8);
            if (!fits(at, Zip64EndRecordSize, *endAt - Zip64LocatorSize) ||
                readLe(data + at, 4) != Zip64EndSignature)
                return invalid("the zip64 end-of-central-directory locator points to offset " +
                               std::to_string(at) + ", where no zip64 record is (corrupt file)");
            const uint8_t* record = data + at;
            multiVolume = readLe(record + 16, 4) != 0 || readLe(record + 20, 4) != 0;
            directory = {readLe(record + 32, 8), readLe(record + 48, 8), readLe(record + 40, 8)};
        }
    }
    if (multiVolume)
        return invalid("multi-volume zip archives are not supported");
    if (directory.entries > MaxZipEntries)
        return invalid("the zip central directory claims " + std::to_string(directory.entries) +
                       " entries, more than the " + std::to_string(MaxZipEntries) +
                       " we accept (corrupt file)");
    if (!fits(directory.offset, directory.size, *endAt))
        return invalid("the zip central directory (offset " + std::to_string(directory.offset) +
                       ", " + std::to_string(directory.size) +
                       " bytes) lies outside the file: truncated or corrupt");
    return directory;
}

// Replaces saturated 32-bit fields by the zip64 extra field's 64-bit values, which appear in
// this fixed order and only for the fields that are saturated.
Result<void> applyZip64Extra(const uint8_t* extra, size_t extraSize, ZipEntry& entry,
                             uint64_t& localOffset, bool wantSize, bool wantCompressed,
                             bool wantOffset)
{
    size_t at = 0;
    while (at + 4 <= extraSize) {
        const uint64_t id = readLe(extra + at, 2);
        const size_t length = size_t(readLe(extra + at + 2, 2));
        if (length > extraSize - at - 4)
            break; // a malformed trailing field; the zip64 one, if any, came earlier
        if (id == Zip64ExtraId) {
            const uint8_t* field = extra + at + 4;
            size_t used = 0;
            for (auto [want, target] : {std::pair{wantSize, &entry.size},
                                        std::pair{wantCompressed, &entry.compressedSize},
                                        std::pair{wantOffset, &localOffset}}) {
                if (!want)
                    continue;
                if (used + 8 > length)
                    return invalid("zip entry '" + printable(entry.name) +
                                   "' has a zip64 extra field that is too short");
                *target = readLe(field + used, 8);
                used += 8;
            }
            return {};
        }
        at += 4 + length;
    }
    if (wantSize || wantCompressed || wantOffset)
        return invalid("zip entry '" + printable(entry.name) +
                       "' has saturated 32-bit sizes but no zip64 extra field");
    return {};
}

// The local header repeats the name and has its own extra field (torch pads with it to align
// the data), so the data offset must come from here, not from the central directory.
Result<void> checkLocalHeader(const uint8_t* data, size_t size, uint64_t localOffset,
                              ZipEntry& entry)
{
    const std::string what = "zip entry '" + printable(entry.name) + "'";
    if (!fits(localOffset, LocalHeaderSize, size) ||
        readLe(data + localOffset, 4) != LocalHeaderSignature)
        return invalid(what + " has no local header at offset " + std::to_string(localOffset) +
                       " (truncated or corrupt file)");
    const uint8_t* local = data + localOffset;
    const uint64_t nameSize = readLe(local + 26, 2);
    const uint64_t extraSize = readLe(local + 28, 2);
    const uint64_t nameAt = localOffset + LocalHeaderSize;
    if (!fits(nameAt, nameSize + extraSize, size))
        return invalid(what + ": its local header runs past the end of the file");
    if (nameSize != entry.name.size() ||
        std::memcmp(data + nameAt, entry.name.data(), entry.name.size()) != 0)
        return invalid(what + ": the local header names another file (corrupt archive)");
    entry.dataOffset = nameAt + nameSize + extraSize;
    if (!fits(entry.dataOffset, entry.compressedSize, size))
        return invalid(what + " (" + std::to_string(entry.compressedSize) + " bytes at offset " +
                       std::to_string(entry.dataOffset) +
                       ") runs past the end of the file: truncated download?");
    return {};
}

Result<ZipEntry> readEntry(const uint8_t* data, size_t size, const uint8_t*& cursor,
                           const uint8_t* directoryEnd)
{
    if (size_t(directoryEnd - cursor) < CentralHeaderSize ||
        readLe(cursor, 4) != CentralHeaderSignature)
        return invalid("the zip central directory is corrupt (an entry header is missing)");
    const uint8_t* header = cursor;
    const size_t nameSize = size_t(readLe(header + 28, 2));
    const size_t extraSize = size_t(readLe(header + 30, 2));
    const size_t commentSize = size_t(readLe(header + 32, 2));
    const size_t total = CentralHeaderSize + nameSize + extraSize + commentSize;
    if (size_t(directoryEnd - cursor) < total)
        return invalid("the zip central directory is corrupt (an entry runs past its end)");
    cursor += total;

    ZipEntry entry;
    entry.flags = uint16_t(readLe(header + 8, 2));
    entry.method = uint16_t(readLe(header + 10, 2));
    entry.crc32 = uint32_t(readLe(header + 16, 4));
    entry.compressedSize = readLe(header + 20, 4);
    entry.size = readLe(header + 24, 4);
    entry.name.assign(reinterpret_cast<const char*>(header + CentralHeaderSize), nameSize);
    uint64_t localOffset = readLe(header + 42, 4);
    constexpr uint64_t Saturated = 0xffffffff;
    if (readLe(header + 34, 2) != 0 && readLe(header + 34, 2) != 0xffff)
        return invalid("multi-volume zip archives are not supported");
    auto zip64 = applyZip64Extra(header + CentralHeaderSize + nameSize, extraSize, entry,
                                 localOffset, entry.size == Saturated,
                                 entry.compressedSize == Saturated, localOffset == Saturated);
    if (!zip64)
        return zip64.error();
    if (entry.stored() && entry.size != entry.compressedSize)
        return invalid("zip entry '" + printable(entry.name) +
                       "' is stored uncompressed but "
                       "claims " +
                       std::to_string(entry.size) + " bytes uncompressed and " +
                       std::to_string(entry.compressedSize) + " stored (corrupt archive)");
    if (auto local = checkLocalHeader(data, size, localOffset, entry); !local)
        return local.error();
    return entry;
}

} // namespace

Result<ZipArchive> ZipArchive::parse(const uint8_t* data, size_t size)
{
    auto directory = readDirectoryLocation(data, size);
    if (!directory)
        return directory.error();
    try {
        ZipArchive archive;
        archive.m_data = data;
        archive.m_size = size;
        // Each entry needs at least a fixed header, which bounds the reservation by the file.
        archive.m_entries.reserve(
            size_t(std::min<uint64_t>(directory->entries, directory->size / CentralHeaderSize)));
        const uint8_t* cursor = data + directory->offset;
        const uint8_t* directoryEnd = cursor + directory->size;
        for (uint64_t i = 0; i < directory->entries; ++i) {
            auto entry = readEntry(data, size, cursor, directoryEnd);
            if (!entry)
                return entry.error();
            // Two members of one name would let two readers see different files; refuse.
            if (!archive.m_index.emplace(entry->name, archive.m_entries.size()).second)
                return invalid("the zip archive holds '" + printable(entry->name) +
                               "' twice (corrupt or tampered file)");
            archive.m_entries.push_back(std::move(entry.value()));
        }
        return archive;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the zip directory");
    }
}

const ZipEntry* ZipArchive::find(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_entries[it->second];
}

Result<const uint8_t*> ZipArchive::storedBytes(const ZipEntry& entry, bool checkCrc) const
{
    const std::string what = "zip entry '" + printable(entry.name) + "'";
    if (entry.flags & 1)
        return invalid(what + " is encrypted");
    if (entry.method == 8)
        return invalid(what + " is compressed (deflate). PyTorch writes checkpoint members "
                              "uncompressed so they can be memory-mapped; this archive was "
                              "re-packed by another tool. Re-save it with torch.save, or unzip "
                              "it and zip it again with 'zip -0'.");
    if (!entry.stored())
        return invalid(what + " uses compression method " + std::to_string(entry.method) +
                       ", which is not supported (only stored members are)");
    // parse() checked the range; guard again so a hand-made ZipEntry cannot escape the file.
    if (!fits(entry.dataOffset, entry.size, m_size))
        return invalid(what + " lies outside the file");
    const uint8_t* bytes = m_data + entry.dataOffset;
    if (checkCrc && crc32Of(bytes, size_t(entry.size)) != entry.crc32)
        return invalid(what + " fails its CRC-32 check: the file is corrupt");
    return bytes;
}

uint32_t crc32Of(const uint8_t* data, size_t size)
{
    static const std::array<uint32_t, 256> Table = [] {
        std::array<uint32_t, 256> table{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }();
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; ++i)
        crc = Table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

std::string printable(const std::string& text, size_t maxShown)
{
    std::string shown = text.substr(0, maxShown);
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return text.size() > maxShown ? shown + "..." : shown;
}

} // namespace ldm::io
