// SPDX-License-Identifier: GPL-3.0-or-later
// From an untrusted zip + pickle to a checked list of tensor views. Nothing here recurses into
// the value tree (pickles may hold cycles): only the root dict, the state dict and its values
// are looked at.
#include "core/ckpt_contents.h"

#include "core/zip_archive.h"

#include <algorithm>
#include <new>

namespace ldm::io {

namespace {

Error invalid(std::string message)
{
    return makeError(ErrorCode::InvalidFile, std::move(message));
}

bool isString(const PickleTree& tree, uint32_t index, const char* text)
{
    const PickleValue& value = tree.at(index);
    return value.kind == PickleKind::String && value.text == text;
}

// The value of the last `key` entry of a dict (Python keeps the last of repeated keys).
const PickleValue* lookup(const PickleTree& tree, const PickleValue& dict, const char* key)
{
    const PickleValue* found = nullptr;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        if (isString(tree, dict.items[i], key))
            found = &tree.at(dict.items[i + 1]);
    }
    return found;
}

std::string describeKey(const PickleTree& tree, uint32_t key)
{
    const PickleValue& value = tree.at(key);
    if (value.kind == PickleKind::String)
        return printable(value.text);
    if (value.kind == PickleKind::Global || value.kind == PickleKind::Object)
        return "<" + printable(value.text) + ">";
    return std::string("<") + pickleKindName(value.kind) + " key>";
}

std::string describeValue(const PickleValue& value)
{
    if (value.kind == PickleKind::Object || value.kind == PickleKind::Global)
        return printable(value.text);
    return pickleKindName(value.kind);
}

// The largest element index a view touches must lie inside its storage. Zero-element views
// touch nothing, whatever their offset.
Result<void> checkView(const CkptTensorInfo& info, uint64_t storageNumel, bool& empty)
{
    // Decided by the sizes, not by their product, which could wrap to 0 on overflow.
    empty = std::find(info.sizes.begin(), info.sizes.end(), 0) != info.sizes.end();
    if (empty)
        return {};
    uint64_t last = info.storageOffset;
    uint64_t count = 1;
    bool overflow = false;
    for (size_t d = 0; d < info.sizes.size(); ++d) {
        const uint64_t size = uint64_t(info.sizes[d]);
        uint64_t reach = 0;
        overflow = overflow || __builtin_mul_overflow(count, size, &count) ||
                   __builtin_mul_overflow(size - 1, uint64_t(info.strides[d]), &reach) ||
                   __builtin_add_overflow(last, reach, &last);
    }
    const std::string what = "tensor '" + printable(info.name) + "' (size " +
                             formatShape(info.sizes) + ", stride " + formatShape(info.strides) +
                             ", offset " + std::to_string(info.storageOffset) + ")";
    if (overflow || count > uint64_t(INT64_MAX) || last > uint64_t(INT64_MAX))
        return invalid(what + " has an element count or extent that overflows");
    if (last >= storageNumel)
        return invalid(what + " reaches element " + std::to_string(last) + " of storage '" +
                       info.storageKey + "', which has " + std::to_string(storageNumel) +
                       " elements");
    return {};
}

Result<void> addTensor(const PickleTree& tree, const std::string& name, const PickleValue& value,
                       CkptContents& contents)
{
    const PickleTensor& tensor = tree.tensors[size_t(value.integer)];
    const PickleStorage& storage = tree.storages[tensor.storage];
    CkptTensorInfo info{name,         storage.dtype, storage.key, tensor.storageOffset,
                        tensor.sizes, tensor.strides};
    bool empty = false;
    if (auto ok = checkView(info, storage.numel, empty); !ok)
        return ok.error();
    auto [it, fresh] =
        contents.storages.emplace(storage.key, CkptStorageInfo{storage.dtype, storage.numel});
    if (!fresh && (it->second.dtype != storage.dtype || it->second.numel != storage.numel))
        return invalid("storage '" + storage.key +
                       "' is declared twice with different types or "
                       "sizes (" +
                       dtypeName(it->second.dtype) + " x" + std::to_string(it->second.numel) +
                       " and " + dtypeName(storage.dtype) + " x" + std::to_string(storage.numel) +
                       ")");
    contents.tensors.push_back(std::move(info));
    return {};
}

// Tensors of one dict, last repeated key wins. In a Lightning `state_dict` a placeholder
// object where a tensor belongs is an error; other non-tensors are listed as skipped.
Result<void> collectTensors(const PickleTree& tree, const PickleValue& dict,
                            const std::string& prefix, CkptContents& contents)
{
    std::map<std::string, uint32_t> latest;
    std::vector<std::string> order;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        const PickleValue& key = tree.at(dict.items[i]);
        if (key.kind != PickleKind::String) {
            contents.skipped.push_back(prefix + describeKey(tree, dict.items[i]));
            continue;
        }
        // Bounded so that many repeats of one huge key cannot make the lookups below slow.
        if (key.text.size() > MaxStateDictKeyBytes)
            return invalid("a key of " + std::to_string(key.text.size()) +
                           " bytes is longer than the " + std::to_string(MaxStateDictKeyBytes) +
                           " a tensor name may have ('" + printable(key.text, 40) + "')");
        if (latest.insert_or_assign(key.text, dict.items[i + 1]).second)
            order.push_back(key.text);
    }
    for (const std::string& name : order) {
        const PickleValue& value = tree.at(latest[name]);
        if (value.kind == PickleKind::Tensor) {
            if (auto ok = addTensor(tree, name, value, contents); !ok)
                return ok.error();
        } else if (value.kind == PickleKind::Object && !prefix.empty()) {
            return invalid("state_dict entry '" + printable(name) + "' is a " +
                           printable(value.text) + " where a tensor belongs");
        } else {
            contents.skipped.push_back(prefix + printable(name) + " (" + describeValue(value) +
                                       ")");
        }
    }
    return {};
}

// A textual-inversion embedding (A1111 and the original implementation): the tensors of
// `string_to_param`, a dict or a ParameterDict placeholder whose kept state holds them in
// `_parameters`. Null for anything else.
const PickleValue* embeddingParameters(const PickleTree& tree, const PickleValue& root)
{
    const PickleValue* params = lookup(tree, root, "string_to_param");
    if (params && params->kind == PickleKind::Object &&
        params->text == "torch.nn.modules.container.ParameterDict" && params->items.size() == 1) {
        const PickleValue& state = tree.at(params->items[0]);
        params = state.kind == PickleKind::Dict ? lookup(tree, state, "_parameters") : nullptr;
    }
    return params && params->kind == PickleKind::Dict ? params : nullptr;
}

Result<CkptContents> extract(const PickleTree& tree)
{
    const PickleValue& root = tree.at(tree.root);
    if (root.kind != PickleKind::Dict)
        return invalid("the checkpoint holds a " + describeValue(root) +
                       ", not a dict of tensors (a pickled model object cannot be loaded "
                       "safely: save its state_dict() instead)");
    CkptContents contents;
    const PickleValue* stateDict = lookup(tree, root, "state_dict");
    if (stateDict && stateDict->kind == PickleKind::Dict) {
        for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
            const uint32_t key = root.items[i];
            if (isString(tree, key, "state_dict"))
                continue;
            const PickleValue& value = tree.at(root.items[i + 1]);
            const bool counter = isString(tree, key, "global_step") || isString(tree, key, "epoch");
            if (counter && value.kind == PickleKind::Int && !value.bigInt)
                contents.metadata[tree.at(key).text] = std::to_string(value.integer);
            else
                contents.skipped.push_back(describeKey(tree, key));
        }
        if (auto ok = collectTensors(tree, *stateDict, "state_dict.", contents); !ok)
            return ok.error();
    } else if (const PickleValue* params = embeddingParameters(tree, root)) {
        for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
            if (!isString(tree, root.items[i], "string_to_param"))
                contents.skipped.push_back(describeKey(tree, root.items[i]));
        }
        if (auto ok = collectTensors(tree, *params, "string_to_param.", contents); !ok)
            return ok.error();
    } else if (auto ok = collectTensors(tree, root, "", contents); !ok) {
        return ok.error();
    }
    if (contents.tensors.empty()) {
        std::string keys;
        for (size_t i = 0; i + 1 < root.items.size() && i < 20; i += 2)
            keys += (keys.empty() ? "" : ", ") + describeKey(tree, root.items[i]);
        return invalid("no tensors found: the top-level keys are [" + keys +
                       "] (expected a 'state_dict' entry or a dict of tensors)");
    }
    return contents;
}

// The archive's folder: the one member called "<folder>/data.pkl".
Result<std::string> findPrefix(const ZipArchive& archive)
{
    std::string prefix;
    bool torchScript = false;
    for (const ZipEntry& entry : archive.entries()) {
        const size_t slash = entry.name.find('/');
        if (slash == std::string::npos || entry.name.find('/', slash + 1) != std::string::npos)
            continue;
        const std::string file = entry.name.substr(slash + 1);
        torchScript = torchScript || file == "constants.pkl";
        if (file != "data.pkl")
            continue;
        if (!prefix.empty())
            return invalid("the archive holds more than one data.pkl ('" + printable(prefix) +
                           "/' and '" + printable(entry.name.substr(0, slash)) + "/')");
        prefix = entry.name.substr(0, slash);
    }
    if (prefix.empty())
        return invalid(torchScript ? "this is a TorchScript archive (torch.jit.save), not a "
                                     "checkpoint saved with torch.save"
                                   : "the zip archive has no <name>/data.pkl: not a PyTorch "
                                     "checkpoint");
    return prefix;
}

Result<void> checkByteOrder(const ZipArchive& archive, const std::string& prefix)
{
    const ZipEntry* entry = archive.find(prefix + "/byteorder");
    if (!entry)
        return {}; // older files have none and are little-endian
    auto bytes = archive.storedBytes(*entry, true);
    if (!bytes)
        return bytes.error();
    const std::string order(reinterpret_cast<const char*>(*bytes), size_t(entry->size));
    if (order == "little")
        return {};
    if (order == "big")
        return invalid("the checkpoint was saved on a big-endian machine; load it with PyTorch "
                       "on a little-endian one and save it again (or convert it to "
                       "safetensors there)");
    return invalid("the archive's byteorder record says '" + printable(order, 20) +
                   "' (expected 'little')");
}

Result<CkptContents> parseUnchecked(const uint8_t* data, size_t size)
{
    auto archive = ZipArchive::parse(data, size);
    if (!archive)
        return archive.error();
    auto prefix = findPrefix(*archive);
    if (!prefix)
        return prefix.error();
    if (auto ok = checkByteOrder(*archive, *prefix); !ok)
        return ok.error();
    const ZipEntry* pickleEntry = archive->find(*prefix + "/data.pkl");
    auto pickleBytes = archive->storedBytes(*pickleEntry, true);
    if (!pickleBytes)
        return pickleBytes.error();
    auto tree = readPickle(*pickleBytes, size_t(pickleEntry->size));
    if (!tree)
        return tree.error();
    auto contents = extract(*tree);
    if (!contents)
        return contents.error();
    for (auto& [key, storage] : contents->storages) {
        const std::string record = *prefix + "/data/" + key;
        const ZipEntry* entry = archive->find(record);
        if (!entry)
            return invalid("storage record '" + printable(record) +
                           "' is missing from the archive (truncated or corrupt file)");
        if (auto bytes = archive->storedBytes(*entry, false); !bytes)
            return bytes.error();
        uint64_t needed = 0;
        if (__builtin_mul_overflow(storage.numel, uint64_t(dtypeSize(storage.dtype)), &needed))
            return invalid("storage '" + printable(key) + "' claims an impossible element count");
        if (entry->size != needed)
            return invalid(
                "storage record '" + printable(record) + "' holds " + std::to_string(entry->size) +
                " bytes, but its " + dtypeName(storage.dtype) + " storage of " +
                std::to_string(storage.numel) + " elements needs " + std::to_string(needed));
        storage.fileOffset = entry->dataOffset;
        storage.byteSize = needed;
    }
    return contents;
}

} // namespace

uint64_t CkptTensorInfo::numel() const
{
    uint64_t count = 1;
    for (int64_t size : sizes)
        count *= uint64_t(size);
    return count;
}

Result<CkptContents> extractStateDict(const PickleTree& tree)
{
    try {
        return extract(tree);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the checkpoint");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, std::string("checkpoint: ") + error.what());
    }
}

Result<CkptContents> parseCheckpoint(const uint8_t* data, size_t size)
{
    try {
        return parseUnchecked(data, size);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory, "out of memory while reading the checkpoint");
    } catch (const std::exception& error) {
        return makeError(ErrorCode::Internal, std::string("checkpoint: ") + error.what());
    }
}

} // namespace ldm::io
