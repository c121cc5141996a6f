// SPDX-License-Identifier: GPL-3.0-or-later
// The sentencepiece module: the only code that sees sentencepiece (see spm_shim_api.h for why).
// Built with hidden visibility; only the ldm_spm_* entry points are exported.
#include "spm_shim_api.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#define LDM_SPM_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

thread_local std::string g_lastError;

using Processor = sentencepiece::SentencePieceProcessor;

const Processor* processor(const void* handle)
{
    return static_cast<const Processor*>(handle);
}

void setError(std::string message)
{
    g_lastError = std::move(message);
}

// No C++ exception may unwind into the engine through a C signature.
template <typename R, typename Fn> R guarded(R failure, Fn&& fn)
{
    try {
        g_lastError.clear();
        return fn();
    } catch (const std::exception& e) {
        setError(std::string("sentencepiece: ") + e.what());
    } catch (...) {
        setError("sentencepiece: unknown exception");
    }
    return failure;
}

} // namespace

LDM_SPM_EXPORT int ldm_spm_abi_version()
{
    return LDM_SPM_ABI_VERSION;
}

LDM_SPM_EXPORT const char* ldm_spm_last_error()
{
    return g_lastError.c_str();
}

LDM_SPM_EXPORT int ldm_spm_train(const char* const* keys, const char* const* values, int count)
{
    return guarded(1, [&]() -> int {
        std::unordered_map<std::string, std::string> kwargs;
        for (int i = 0; i < count; ++i) {
            kwargs[keys[i]] = values[i] ? values[i] : "";
        }
        const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs);
        if (!status.ok()) {
            setError(status.ToString());
            return 1;
        }
        return 0;
    });
}

LDM_SPM_EXPORT void* ldm_spm_load(const char* path)
{
    return guarded<void*>(nullptr, [&]() -> void* {
        auto sp = std::make_unique<Processor>();
        const auto status = sp->Load(path);
        if (!status.ok()) {
            setError(status.ToString());
            return nullptr;
        }
        return sp.release();
    });
}

LDM_SPM_EXPORT void ldm_spm_free(void* handle)
{
    delete static_cast<Processor*>(handle);
}

LDM_SPM_EXPORT int ldm_spm_encode(const void* handle, const char* text, size_t length, int32_t* ids,
                                  int maxIds)
{
    return guarded(-1, [&]() -> int {
        std::vector<int> pieces;
        const auto status = processor(handle)->Encode(absl::string_view(text, length), &pieces);
        if (!status.ok()) {
            setError(status.ToString());
            return -1;
        }
        const int n = std::min<int>(int(pieces.size()), std::max(maxIds, 0));
        std::copy_n(pieces.begin(), n, ids);
        return int(pieces.size());
    });
}

LDM_SPM_EXPORT int ldm_spm_piece_to_id(const void* handle, const char* piece)
{
    return guarded(-1, [&] { return processor(handle)->PieceToId(piece); });
}

LDM_SPM_EXPORT int ldm_spm_id_to_piece(const void* handle, int id, char* buffer, int bufferSize)
{
    return guarded(-1, [&]() -> int {
        if (id < 0 || id >= processor(handle)->GetPieceSize()) {
            setError("piece id " + std::to_string(id) + " is out of range");
            return -1;
        }
        const std::string& piece = processor(handle)->IdToPiece(id);
        if (buffer && bufferSize > 0) {
            const size_t n = std::min(piece.size(), size_t(bufferSize - 1));
            std::memcpy(buffer, piece.data(), n);
            buffer[n] = '\0';
        }
        return int(piece.size());
    });
}

LDM_SPM_EXPORT int ldm_spm_vocab_size(const void* handle)
{
    return guarded(-1, [&] { return processor(handle)->GetPieceSize(); });
}

LDM_SPM_EXPORT void ldm_spm_special_ids(const void* handle, int* unk, int* bos, int* eos, int* pad)
{
    const Processor* sp = processor(handle);
    *unk = sp->unk_id();
    *bos = sp->bos_id();
    *eos = sp->eos_id();
    *pad = sp->pad_id();
}

// The engine resolves these by name and casts to the API types: keep them in step.
static_assert(std::is_same_v<decltype(&ldm_spm_abi_version), LdmSpmAbiVersionFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_last_error), LdmSpmLastErrorFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_train), LdmSpmTrainFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_load), LdmSpmLoadFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_free), LdmSpmFreeFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_encode), LdmSpmEncodeFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_piece_to_id), LdmSpmPieceToIdFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_id_to_piece), LdmSpmIdToPieceFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_vocab_size), LdmSpmVocabSizeFn>);
static_assert(std::is_same_v<decltype(&ldm_spm_special_ids), LdmSpmSpecialIdsFn>);
