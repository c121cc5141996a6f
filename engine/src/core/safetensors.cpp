// SPDX-License-Identifier: GPL-3.0-or-later
// The mmap reader and the atomic writer; header parsing lives in safetensors_header.cpp.
#include "core/safetensors.h"

#include "core/dtype_torch.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <set>
#include <stdexcept>

// The file format is little-endian and tensors are views of the raw bytes.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors views assume a little-endian host; add byte swapping first");

namespace ldm::io {

torch::ScalarType scalarTypeOf(DType dtype)
{
    switch (dtype) {
    case DType::F64:
        return torch::kFloat64;
    case DType::F32:
        return torch::kFloat32;
    case DType::F16:
        return torch::kFloat16;
    case DType::BF16:
        return torch::kBFloat16;
    case DType::I64:
        return torch::kInt64;
    case DType::I32:
        return torch::kInt32;
    case DType::I16:
        return torch::kInt16;
    case DType::I8:
        return torch::kInt8;
    case DType::U8:
        return torch::kUInt8;
    case DType::Bool:
        return torch::kBool;
    }
    return torch::kFloat32;
}


namespace {

std::optional<DType> fromScalarType(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat64:
        return DType::F64;
    case torch::kFloat32:
        return DType::F32;
    case torch::kFloat16:
        return DType::F16;
    case torch::kBFloat16:
        return DType::BF16;
    case torch::kInt64:
        return DType::I64;
    case torch::kInt32:
        return DType::I32;
    case torch::kInt16:
        return DType::I16;
    case torch::kInt8:
        return DType::I8;
    case torch::kUInt8:
        return DType::U8;
    case torch::kBool:
        return DType::Bool;
    default:
        return std::nullopt;
    }
}

std::string systemError(const std::string& what, const std::string& path)
{
    return what + " '" + path + "': " + std::strerror(errno);
}

// Closes the descriptor and, unless released, removes the temporary file: every early return of
// the writer leaves nothing behind.
class TempFile
{
public:
    explicit TempFile(std::string path, int fd)
        : m_path(std::move(path))
        , m_fd(fd)
    {
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile()
    {
        closeFd();
        if (!m_kept)
            ::unlink(m_path.c_str());
    }
    int fd() const { return m_fd; }
    const std::string& path() const { return m_path; }
    bool closeFd()
    {
        const bool ok = m_fd < 0 || ::close(m_fd) == 0;
        m_fd = -1;
        return ok;
    }
    void keep() { m_kept = true; }

private:
    std::string m_path;
    int m_fd = -1;
    bool m_kept = false;
};

bool writeAll(int fd, const void* data, size_t size)
{
    const auto* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
        // Linux writes at most ~2 GB per call; ask for less and loop.
        const ssize_t n = ::write(fd, p, std::min<size_t>(size, size_t(1) << 30));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= size_t(n);
    }
    return true;
}

struct PendingTensor
{
    std::string name;
    torch::Tensor tensor;
    DType dtype;
    uint64_t bytes;
};

Result<void> writeFile(const std::string& path, const std::vector<PendingTensor>& pending,
                       const std::string& headerText)
{
    std::string tempName = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tempName.data());
    if (fd < 0)
        return makeError(ErrorCode::InvalidFile,
                         systemError("cannot create a temporary file next to", path));
    TempFile temp(tempName, fd);
    ::fchmod(fd, 0644); // mkstemp makes 0600; checkpoints are ordinary shared files

    uint8_t lengthBytes[8];
    const uint64_t headerLength = headerText.size();
    for (int i = 0; i < 8; ++i)
        lengthBytes[i] = uint8_t(headerLength >> (8 * i));
    if (!writeAll(fd, lengthBytes, 8) || !writeAll(fd, headerText.data(), headerText.size()))
        return makeError(ErrorCode::InvalidFile, systemError("cannot write", tempName));
    for (const PendingTensor& item : pending) {
        // Converted one at a time so a GPU state dict never needs a full CPU copy at once.
        const torch::Tensor cpu = item.tensor.detach().to(torch::kCPU).contiguous();
        if (item.bytes && !writeAll(fd, cpu.data_ptr(), size_t(item.bytes)))
            return makeError(ErrorCode::InvalidFile, systemError("cannot write", tempName));
    }
    if (::fsync(fd) != 0 || !temp.closeFd())
        return makeError(ErrorCode::InvalidFile, systemError("cannot flush", tempName));
    if (::rename(tempName.c_str(), path.c_str()) != 0)
        return makeError(ErrorCode::InvalidFile,
                         systemError("cannot rename " + tempName + " to", path));
    temp.keep();

    // Persist the rename itself; failing here loses nothing already written, so it is not fatal.
    const size_t slash = path.find_last_of('/');
    const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    if (const int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return {};
}

} // namespace

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path)
{
    // The whole file stays mapped; unmapped when the last file copy or tensor view goes away.
    auto mapping = FileMapping::open(path);
    if (!mapping)
        return mapping.error();

    const FileMapping& file = **mapping;
    auto header = parseHeader(file.data(), file.size(), uint64_t(file.size()));
    if (!header)
        return makeError(header.error().code, path + ": " + header.error().message);

    SafetensorsFile result;
    result.m_path = path;
    result.m_header = std::move(header.value());
    result.m_mapping = std::move(mapping.value());
    for (size_t i = 0; i < result.m_header.tensors.size(); ++i)
        result.m_index.emplace(result.m_header.tensors[i].name, i);
    return result;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_header.tensors[it->second];
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const
{
    const TensorInfo* info = find(name);
    if (!info)
        throw std::out_of_range(m_path + ": no tensor named '" + name + "'");
    const auto options = torch::TensorOptions().dtype(scalarTypeOf(info->dtype));
    if (info->begin == info->end)
        return torch::empty(info->shape, options); // zero elements: nothing to map

    // from_blob wants a mutable pointer; the pages are PROT_READ, hence the read-only contract.
    void* data = const_cast<uint8_t*>(m_mapping->data()) + info->begin;
    auto keepAlive = [mapping = m_mapping](void*) {};
    if (info->dtype == DType::Bool) {
        const auto bytes = torch::from_blob(data, info->shape, keepAlive,
                                            torch::TensorOptions().dtype(torch::kUInt8));
        return bytes.ne(0);
    }
    if (info->begin % dtypeSize(info->dtype) != 0) {
        torch::Tensor copy = torch::empty(info->shape, options);
        std::memcpy(copy.data_ptr(), data, size_t(info->end - info->begin));
        return copy;
    }
    return torch::from_blob(data, info->shape, keepAlive, options);
}

Result<void> writeSafetensors(const std::string& path,
                              const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata)
{
    try {
        std::vector<PendingTensor> pending;
        std::set<std::string> names;
        for (const auto& [name, tensor] : tensors) {
            const std::string what = path + ": tensor '" + name + "'";
            if (name == "__metadata__")
                return makeError(ErrorCode::InvalidRequest,
                                 what + ": the name is reserved for the metadata");
            if (!names.insert(name).second)
                return makeError(ErrorCode::InvalidRequest, what + " is given twice");
            if (!tensor.defined())
                return makeError(ErrorCode::InvalidRequest, what + " is undefined");
            const auto dtype = fromScalarType(tensor.scalar_type());
            if (!dtype)
                return makeError(ErrorCode::InvalidRequest,
                                 what + " has dtype " +
                                     std::string(c10::toString(tensor.scalar_type())) +
                                     ", which safetensors cannot store");
            pending.push_back({name, tensor, *dtype, uint64_t(tensor.numel()) * dtypeSize(*dtype)});
        }
        // Largest elements first: with the data section starting 8-aligned, every tensor then
        // starts at a multiple of its element size and the reader can return views.
        std::stable_sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
            const size_t sa = dtypeSize(a.dtype), sb = dtypeSize(b.dtype);
            return sa != sb ? sa > sb : a.name < b.name;
        });

        nlohmann::ordered_json header = nlohmann::ordered_json::object();
        if (!metadata.empty())
            header["__metadata__"] = metadata;
        uint64_t offset = 0;
        for (const PendingTensor& item : pending) {
            header[item.name] = {{"dtype", dtypeName(item.dtype)},
                                 {"shape", item.tensor.sizes().vec()},
                                 {"data_offsets", {offset, offset + item.bytes}}};
            offset += item.bytes;
        }
        std::string headerText = header.dump();
        headerText.append((8 - headerText.size() % 8) % 8, ' ');
        return writeFile(path, pending, headerText);
    } catch (const nlohmann::json::exception& e) {
        return makeError(ErrorCode::InvalidRequest,
                         path + ": a tensor name or metadata string is not valid UTF-8 (" +
                             e.what() + ")");
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, path + ": out of memory while writing");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::Internal, path + ": cannot write: " + e.what());
    }
}

} // namespace ldm::io
