// SPDX-License-Identifier: GPL-3.0-or-later
// Everything in here reads untrusted bytes: every length and offset is checked before use, and
// every failure becomes an InvalidFile error instead of an exception or a crash.
#include "core/safetensors_header.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>

namespace ldm::io {

namespace {

// Plain JSON, not ordered_json: ordered_json finds every inserted key by a linear scan, so a
// header of n names cost O(n^2) (80,000 names took 20 s). File order comes from parsing the
// entries one at a time instead (EntryCollector).
using Json = nlohmann::json;

using limits::MaxSafetensorsJsonDepth;

Error invalid(std::string message)
{
    return makeError(ErrorCode::InvalidFile, std::move(message));
}

// A tensor name for a message: truncated and with control characters replaced, because the name
// comes from the file and may be anything.
std::string quoted(const std::string& name)
{
    constexpr size_t MaxShown = 80;
    std::string shown = name.substr(0, MaxShown);
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return "'" + shown + (name.size() > MaxShown ? "...'" : "'");
}

// "an array", "a string", ...: the JSON type of a value, for messages.
std::string kindOf(const Json& value)
{
    const std::string type = value.type_name();
    return (type == "array" || type == "object" ? "an " : type == "null" ? "" : "a ") + type;
}

struct JsonShape
{
    bool tooDeep = false;
    size_t topLevelKeys = 0; ///< keys of the root object (tensor names and __metadata__)
};

// One pass over the raw text before building a DOM, so that neither deep nesting nor a huge
// number of entries costs recursion or memory: both are refused from this scan alone.
JsonShape scanJson(const char* text, size_t size, int depthLimit)
{
    JsonShape shape;
    int depth = 0;
    bool inString = false;
    for (size_t i = 0; i < size; ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i; // skip the escaped character, which may be a quote
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > depthLimit) {
                shape.tooDeep = true;
                return shape;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        } else if (c == ':' && depth == 1) {
            ++shape.topLevelKeys;
        }
    }
    return shape;
}

uint64_t readLe64(const uint8_t* p)
{
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | p[i];
    return value;
}

Result<std::map<std::string, std::string>> parseMetadata(const Json& value)
{
    std::map<std::string, std::string> metadata;
    if (value.is_null())
        return metadata; // some writers emit "__metadata__": null for "none"
    if (!value.is_object())
        return invalid("safetensors header: __metadata__ must be an object of strings, found " +
                       kindOf(value));
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string())
            return invalid("safetensors header: __metadata__ value " + quoted(key) +
                           " must be a string, found " + kindOf(item));
        metadata.emplace(key, item.get<std::string>());
    }
    return metadata;
}

Result<TensorInfo> parseEntry(const std::string& name, const Json& entry, uint64_t dataStart,
                              uint64_t dataSize)
{
    // Messages are built only on failure: this runs once per tensor, up to MaxTensorCount times.
    const auto bad = [&name](const std::string& detail) {
        return invalid("safetensors header: tensor " + quoted(name) + detail);
    };
    if (!entry.is_object())
        return bad(" must be an object, found " + kindOf(entry));

    TensorInfo info;
    info.name = name;

    const auto dtypeIt = entry.find("dtype");
    if (dtypeIt == entry.end() || !dtypeIt->is_string())
        return bad(" has no \"dtype\" string");
    const auto dtype = dtypeFromName(dtypeIt->get<std::string>());
    if (!dtype)
        return bad(" has unsupported dtype " + quoted(dtypeIt->get<std::string>()) +
                   " (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    info.dtype = *dtype;

    const auto shapeIt = entry.find("shape");
    if (shapeIt == entry.end() || !shapeIt->is_array())
        return bad(" has no \"shape\" array");
    uint64_t numel = 1;
    for (const Json& dim : *shapeIt) {
        if (!dim.is_number_integer())
            return bad(" has a non-integer shape entry " + dim.dump());
        if (!dim.is_number_unsigned())
            return bad(" has a negative dimension " + dim.dump());
        const uint64_t d = dim.get<uint64_t>();
        if (d > uint64_t(std::numeric_limits<int64_t>::max()) ||
            __builtin_mul_overflow(numel, d, &numel) ||
            numel > uint64_t(std::numeric_limits<int64_t>::max()))
            return bad(" has a shape whose element count overflows: " + shapeIt->dump());
        info.shape.push_back(int64_t(d));
    }
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(numel, uint64_t(dtypeSize(info.dtype)), &bytes))
        return bad(" has a shape whose byte size overflows: " + shapeIt->dump());

    const auto offsetsIt = entry.find("data_offsets");
    if (offsetsIt == entry.end() || !offsetsIt->is_array() || offsetsIt->size() != 2 ||
        !(*offsetsIt)[0].is_number_unsigned() || !(*offsetsIt)[1].is_number_unsigned())
        return bad(" needs \"data_offsets\" as two non-negative integers");
    const uint64_t begin = (*offsetsIt)[0].get<uint64_t>();
    const uint64_t end = (*offsetsIt)[1].get<uint64_t>();
    const auto range = [&] {
        return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    };
    if (begin > end)
        return bad(" has reversed data_offsets " + range());
    if (end > dataSize)
        return bad(" has data_offsets " + range() + " beyond the data section of " +
                   std::to_string(dataSize) + " bytes (file truncated?)");
    if (end - begin != bytes)
        return bad(" has shape " + formatShape(info.shape) + " of " + dtypeName(info.dtype) +
                   " = " + std::to_string(bytes) + " bytes, but data_offsets " + range() +
                   " span " + std::to_string(end - begin) + " bytes");
    info.begin = dataStart + begin;
    info.end = dataStart + end;
    return info;
}

// Ranges may leave gaps (we do not need them contiguous) but must not share bytes, since
// overlapping entries mean the offsets are corrupt. Names must be unique: with two entries of
// one name, which one a reader uses would be up to the reader.
Result<void> checkOverlapsAndNames(const std::vector<TensorInfo>& tensors)
{
    std::vector<size_t> order(tensors.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return tensors[a].begin != tensors[b].begin ? tensors[a].begin < tensors[b].begin
                                                    : tensors[a].end < tensors[b].end;
    });
    const TensorInfo* previous = nullptr;
    for (size_t index : order) {
        const TensorInfo& current = tensors[index];
        if (current.begin == current.end)
            continue; // an empty tensor owns no bytes
        if (previous && current.begin < previous->end)
            return invalid("safetensors header: tensors " + quoted(previous->name) + " and " +
                           quoted(current.name) + " overlap (bytes " +
                           std::to_string(current.begin) + " to " +
                           std::to_string(std::min(current.end, previous->end)) +
                           " of the file belong to both)");
        previous = &current;
    }
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return tensors[a].name < tensors[b].name; });
    for (size_t i = 1; i < order.size(); ++i) {
        if (tensors[order[i]].name == tensors[order[i - 1]].name)
            return invalid("safetensors header lists tensor " + quoted(tensors[order[i]].name) +
                           " twice");
    }
    return {};
}

// Thrown from the parser callback to stop at the first bad entry.
struct EntryError
{
    Error error;
};

// Receives each top-level entry as soon as the parser has built it, checks it and drops it
// from the DOM: the root never holds more than one entry, and the entries keep file order.
struct EntryCollector
{
    Header& header;
    uint64_t dataSize;
    bool rootIsObject = false;
    std::string key;

    bool operator()(int depth, nlohmann::json::parse_event_t event, Json& parsed)
    {
        using Event = nlohmann::json::parse_event_t;
        if (depth == 0 && event == Event::object_start)
            rootIsObject = true;
        if (depth != 1 || !rootIsObject)
            return true;
        if (event == Event::key) {
            key = parsed.get<std::string>();
            return true;
        }
        if (event != Event::value && event != Event::object_end && event != Event::array_end)
            return true;
        take(parsed);
        return false;
    }

    void take(const Json& value)
    {
        if (key == "__metadata__") {
            auto metadata = parseMetadata(value);
            if (!metadata)
                throw EntryError{metadata.error()};
            header.metadata = std::move(metadata.value());
            return;
        }
        auto info = parseEntry(key, value, header.dataStart, dataSize);
        if (!info)
            throw EntryError{info.error()};
        header.tensors.push_back(std::move(info.value()));
    }
};

Result<Header> parseHeaderUnchecked(const uint8_t* data, size_t size, uint64_t fileSize)
{
    if (fileSize < 8 || size < 8)
        return invalid("file is " + std::to_string(fileSize) +
                       " bytes, too short for a safetensors header (at least 8 bytes)");
    const uint64_t headerLength = readLe64(data);
    if (headerLength > MaxHeaderBytes)
        return invalid("safetensors header length " + std::to_string(headerLength) +
                       " is larger than the " + std::to_string(MaxHeaderBytes) +
                       " bytes we accept: not a safetensors file, or corrupt");
    if (headerLength > fileSize - 8)
        return invalid("safetensors header length " + std::to_string(headerLength) +
                       " runs past the end of the " + std::to_string(fileSize) +
                       "-byte file (file truncated?)");
    if (headerLength > size - 8)
        return makeError(ErrorCode::InvalidRequest,
                         "parseHeader was given " + std::to_string(size) +
                             " bytes, but the header needs " + std::to_string(8 + headerLength));

    const char* text = reinterpret_cast<const char*>(data + 8);
    const size_t textSize = size_t(headerLength);
    const JsonShape shape = scanJson(text, textSize, MaxSafetensorsJsonDepth);
    if (shape.tooDeep)
        return invalid("safetensors header nests deeper than " +
                       std::to_string(MaxSafetensorsJsonDepth) + " levels: corrupt");
    // +1: the count includes "__metadata__".
    if (shape.topLevelKeys > MaxTensorCount + 1)
        return invalid("safetensors header lists " + std::to_string(shape.topLevelKeys) +
                       " entries, more than the " + std::to_string(MaxTensorCount) +
                       " tensors we accept: corrupt or hostile");
    Header header;
    header.dataStart = 8 + headerLength;
    header.tensors.reserve(shape.topLevelKeys);
    EntryCollector collector{header, fileSize - header.dataStart, false, {}};
    Json root;
    try {
        root = Json::parse(text, text + textSize, std::ref(collector), /*allow_exceptions=*/false);
    } catch (const EntryError& bad) {
        return bad.error;
    }
    if (root.is_discarded())
        return invalid("safetensors header is not valid JSON (first bytes: " +
                       quoted(std::string(text, std::min<size_t>(textSize, 40))) + ")");
    if (!root.is_object())
        return invalid("safetensors header must be a JSON object, found " + kindOf(root));
    if (header.tensors.size() > MaxTensorCount) // the scan allowed one key for __metadata__
        return invalid("safetensors header lists " + std::to_string(header.tensors.size()) +
                       " tensors, more than the " + std::to_string(MaxTensorCount) +
                       " we accept: corrupt or hostile");
    if (auto checked = checkOverlapsAndNames(header.tensors); !checked)
        return checked.error();
    return header;
}

} // namespace

size_t dtypeSize(DType dtype)
{
    switch (dtype) {
    case DType::F64:
    case DType::I64:
        return 8;
    case DType::F32:
    case DType::I32:
        return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16:
        return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool:
        return 1;
    }
    return 1;
}

const char* dtypeName(DType dtype)
{
    switch (dtype) {
    case DType::F64:
        return "F64";
    case DType::F32:
        return "F32";
    case DType::F16:
        return "F16";
    case DType::BF16:
        return "BF16";
    case DType::I64:
        return "I64";
    case DType::I32:
        return "I32";
    case DType::I16:
        return "I16";
    case DType::I8:
        return "I8";
    case DType::U8:
        return "U8";
    case DType::Bool:
        return "BOOL";
    }
    return "?";
}

std::optional<DType> dtypeFromName(const std::string& name)
{
    static const std::pair<const char*, DType> Names[] = {
        {"F64", DType::F64}, {"F32", DType::F32},   {"F16", DType::F16}, {"BF16", DType::BF16},
        {"I64", DType::I64}, {"I32", DType::I32},   {"I16", DType::I16}, {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::Bool},
    };
    for (const auto& [spelling, dtype] : Names) {
        if (name == spelling)
            return dtype;
    }
    return std::nullopt;
}

uint64_t TensorInfo::numel() const
{
    uint64_t n = 1;
    for (int64_t d : shape)
        n *= uint64_t(d);
    return n;
}

std::string formatShape(const std::vector<int64_t>& shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

Result<Header> parseHeader(const uint8_t* data, size_t size, uint64_t fileSize)
{
    // Never trust `size` beyond the file: a caller may pass a larger buffer than the file.
    size = size_t(std::min<uint64_t>(size, fileSize));
    try {
        return parseHeaderUnchecked(data, size, fileSize);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::OutOfMemory,
                         "out of memory while parsing a safetensors header");
    } catch (const std::exception& e) {
        // nlohmann may throw on type mismatches we failed to pre-check: still a bad file.
        return invalid(std::string("safetensors header is malformed: ") + e.what());
    }
}

} // namespace ldm::io
