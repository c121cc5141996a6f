// SPDX-License-Identifier: GPL-3.0-or-later
// The torch side of PyTorch checkpoints: everything untrusted was parsed and checked by
// parseCheckpoint (torch-free); here each storage record becomes one 1-D tensor over the
// mapping and each state-dict entry a strided view of it, exactly as PyTorch rebuilds them.
#include "core/ckpt_file.h"

#include "core/ckpt_contents.h"
#include "core/file_mapping.h"
#include "core/regular_file.h"
#include "core/safetensors.h"
#include "core/dtype_torch.h"

#include <cstring>
#include <unistd.h>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "checkpoint views assume a little-endian host; add byte swapping first");

namespace ldm::io {

namespace {

// Only a regular file is opened (a FIFO would block here before any check): anything else
// gives no bytes, and the loader that follows says why.
std::string firstBytes(const std::string& path, size_t count)
{
    auto fd = files::openRegular(path);
    if (!fd)
        return {};
    std::string bytes(count, '\0');
    const ssize_t got = ::read(fd->get(), bytes.data(), count);
    bytes.resize(got > 0 ? size_t(got) : 0);
    return bytes;
}

// PyTorch before 1.6 wrote a bare pickle stream starting with a magic number as a LONG1.
bool looksLikeLegacyTorch(const std::string& path)
{
    return firstBytes(path, 4) == std::string("\x80\x02\x8a\x0a", 4);
}

// One storage record as a 1-D tensor: a view of the mapping when the bytes can be used as they
// are, else a private copy.
torch::Tensor storageTensor(const std::shared_ptr<const FileMapping>& mapping,
                            const CkptStorageInfo& storage)
{
    const auto options = torch::TensorOptions().dtype(scalarTypeOf(storage.dtype));
    const int64_t numel = int64_t(storage.numel);
    if (numel == 0)
        return torch::empty({0}, options);
    // from_blob wants a mutable pointer; the pages are PROT_READ, hence the read-only contract.
    void* data = const_cast<uint8_t*>(mapping->data()) + storage.fileOffset;
    auto keepAlive = [mapping](void*) {};
    if (storage.dtype == DType::Bool) // any byte but 0/1 is undefined behaviour for torch's bool
        return torch::from_blob(data, {numel}, keepAlive, options.dtype(torch::kUInt8)).ne(0);
    if (storage.fileOffset % dtypeSize(storage.dtype) != 0) {
        torch::Tensor copy = torch::empty({numel}, options);
        std::memcpy(copy.data_ptr(), data, size_t(storage.byteSize));
        return copy;
    }
    return torch::from_blob(data, {numel}, keepAlive, options);
}

LoadedCheckpoint buildTensors(const std::shared_ptr<const FileMapping>& mapping,
                              CkptContents&& contents)
{
    LoadedCheckpoint out;
    out.format = CheckpointFormat::TorchZip;
    out.metadata = std::move(contents.metadata);
    out.skipped = std::move(contents.skipped);
    std::map<std::string, torch::Tensor> storages;
    for (const auto& [key, storage] : contents.storages)
        storages.emplace(key, storageTensor(mapping, storage));
    for (const CkptTensorInfo& info : contents.tensors) {
        const torch::Tensor& base = storages.at(info.storageKey);
        // parseCheckpoint checked that every non-empty view lies inside its storage; an empty
        // view may carry any offset, so it gets a fresh empty tensor instead.
        out.tensors[info.name] = info.numel() == 0 ? torch::empty(info.sizes, base.options())
                                                   : base.as_strided(info.sizes, info.strides,
                                                                     int64_t(info.storageOffset));
    }
    return out;
}

} // namespace

std::string dtypeNameOf(const torch::Tensor& tensor)
{
    for (DType dtype : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                        DType::I16, DType::I8, DType::U8, DType::Bool}) {
        if (scalarTypeOf(dtype) == tensor.scalar_type())
            return dtypeName(dtype);
    }
    return c10::toString(tensor.scalar_type());
}

bool looksLikeTorchZip(const std::string& path)
{
    return firstBytes(path, 4) == std::string("PK\x03\x04", 4);
}

Result<LoadedCheckpoint> readTorchCheckpoint(const std::string& path)
{
    auto mapping = FileMapping::open(path);
    if (!mapping)
        return mapping.error();
    auto contents = parseCheckpoint((*mapping)->data(), (*mapping)->size());
    if (!contents)
        return makeError(contents.error().code, path + ": " + contents.error().message);
    try {
        return buildTensors(*mapping, std::move(contents.value()));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, path + ": out of memory while loading");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, path + ": cannot build tensors: " + error.what());
    }
}

Result<LoadedCheckpoint> openCheckpointTensors(const std::string& path)
{
    if (looksLikeTorchZip(path))
        return readTorchCheckpoint(path);
    auto file = SafetensorsFile::open(path);
    if (!file) {
        if (looksLikeLegacyTorch(path))
            return makeError(ErrorCode::InvalidFile,
                             path + ": this is a PyTorch checkpoint in the pre-1.6 format, which "
                                    "we do not read; load it with PyTorch and save it again "
                                    "(torch.save writes the zip format) or as safetensors");
        return file.error();
    }
    try {
        LoadedCheckpoint out;
        out.format = CheckpointFormat::Safetensors;
        out.metadata = file->metadata();
        for (const TensorInfo& info : file->tensors())
            out.tensors[info.name] = file->tensor(info.name);
        return out;
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, path + ": out of memory while loading");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, path + ": cannot build tensors: " + error.what());
    }
}

} // namespace ldm::io
