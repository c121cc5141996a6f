// SPDX-License-Identifier: GPL-3.0-or-later
// Hand-made PyTorch checkpoints for tests: a pickle writer that emits the opcodes torch.save
// does (and any others a test wants), and a zip writer with stored, 64-byte-aligned members,
// so a test can build exactly the broken file it describes. Header-only; torch-free.
#pragma once

#include "core/zip_archive.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace ldm::testing {

#ifdef LDM_CKPT_FIXTURES
/// Folder of the committed fixtures (tests/data/ckpt).
inline std::string ckptFixture(const std::string& name)
{
    return std::string(LDM_CKPT_FIXTURES) + "/" + name;
}
#endif

inline std::string readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

inline const uint8_t* bytesOf(const std::string& text)
{
    return reinterpret_cast<const uint8_t*>(text.data());
}

/// A per-process scratch folder, removed with its contents.
class ScratchDir
{
public:
    explicit ScratchDir(const std::string& tag)
        : m_path(std::filesystem::temp_directory_path() /
                 ("ldm_" + tag + "_" + std::to_string(::getpid())))
    {
        std::filesystem::create_directories(m_path);
    }
    ~ScratchDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    std::string file(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

inline std::string littleEndian(uint64_t value, int bytes)
{
    std::string out;
    for (int i = 0; i < bytes; ++i)
        out += char(uint8_t(value >> (8 * i)));
    return out;
}

/// Emits pickle opcodes; each method appends one construct.
struct PickleBuilder
{
    std::string bytes;

    PickleBuilder& op(uint8_t code) { return bytes += char(code), *this; }
    PickleBuilder& proto(int version = 2) { return op(0x80), op(uint8_t(version)); }
    PickleBuilder& mark() { return op('('); }
    PickleBuilder& stop() { return op('.'); }
    PickleBuilder& global(const std::string& module, const std::string& name)
    {
        bytes += "c" + module + "\n" + name + "\n";
        return *this;
    }
    PickleBuilder& str(const std::string& text)
    {
        bytes += "X" + littleEndian(text.size(), 4) + text;
        return *this;
    }
    PickleBuilder& integer(int64_t value)
    {
        if (value >= INT32_MIN && value <= INT32_MAX)
            bytes += "J" + littleEndian(uint64_t(value), 4);
        else
            bytes += "\x8a\x08" + littleEndian(uint64_t(value), 8); // LONG1, 8 bytes
        return *this;
    }
    PickleBuilder& dims(const std::vector<int64_t>& values)
    {
        mark();
        for (int64_t value : values)
            integer(value);
        return op('t');
    }
    /// torch._utils._rebuild_tensor_v2 over a storage record, as torch.save writes it.
    PickleBuilder& tensor(const std::string& key, const std::string& storageType, int64_t numel,
                          int64_t offset, const std::vector<int64_t>& sizes,
                          const std::vector<int64_t>& strides)
    {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel);
        op('t').op('Q');                                      // the persistent id tuple, BINPERSID
        integer(offset).dims(sizes).dims(strides).op(0x89);   // requires_grad False
        global("collections", "OrderedDict").op(')').op('R'); // backward hooks
        return op('t').op('R');
    }
};

/// One zip member: its name, bytes and compression method (8 only marks it deflated).
struct ZipMember
{
    std::string name;
    std::string data;
    uint16_t method = 0;
};

/// A zip archive of stored members whose data start 64-byte aligned, like torch.save's.
inline std::string makeZip(const std::vector<ZipMember>& members)
{
    std::string out, directory;
    for (const ZipMember& member : members) {
        const uint32_t crc =
            io::crc32Of(reinterpret_cast<const uint8_t*>(member.data.data()), member.data.size());
        const size_t headerEnd = out.size() + 30 + member.name.size();
        const size_t padding = (64 - (headerEnd + 4) % 64) % 64;
        const std::string extra =
            littleEndian(0x4246, 2) + littleEndian(padding, 2) + std::string(padding, 'Z');
        const std::string common =
            littleEndian(0, 2) + littleEndian(member.method, 2) + littleEndian(0, 4) +
            littleEndian(crc, 4) + littleEndian(member.data.size(), 4) +
            littleEndian(member.data.size(), 4) + littleEndian(member.name.size(), 2);
        directory += littleEndian(0x02014b50, 4) + littleEndian(20, 2) + littleEndian(20, 2) +
                     common + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) +
                     littleEndian(0, 2) + littleEndian(0, 4) + littleEndian(out.size(), 4) +
                     member.name;
        out += littleEndian(0x04034b50, 4) + littleEndian(20, 2) + common +
               littleEndian(extra.size(), 2) + member.name + extra + member.data;
    }
    const size_t directoryAt = out.size();
    out += directory;
    out += littleEndian(0x06054b50, 4) + littleEndian(0, 4) + littleEndian(members.size(), 2) +
           littleEndian(members.size(), 2) + littleEndian(directory.size(), 4) +
           littleEndian(directoryAt, 4) + littleEndian(0, 2);
    return out;
}

/// A checkpoint "archive/data.pkl" + records "archive/data/<key>" (+ extra members).
inline std::string makeCheckpoint(const std::string& pickle,
                                  const std::vector<std::pair<std::string, std::string>>& records,
                                  std::vector<ZipMember> extra = {})
{
    std::vector<ZipMember> members = {{"archive/data.pkl", pickle}};
    for (const auto& [key, data] : records)
        members.push_back({"archive/data/" + key, data});
    members.insert(members.end(), extra.begin(), extra.end());
    members.push_back({"archive/version", "3\n"});
    return makeZip(members);
}

} // namespace ldm::testing
