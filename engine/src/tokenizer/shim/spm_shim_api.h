// SPDX-License-Identifier: GPL-3.0-or-later
// The C boundary between the engine and the sentencepiece module (libldm_spm_shim.so).
//
// Why a module: Debian's libsentencepiece bundles and exports its own protobuf-lite, which
// crashes a process that also links LibTorch (and so the system libprotobuf). The module is
// linked only to sentencepiece and is dlopen()ed with RTLD_LOCAL | RTLD_DEEPBIND, so it binds
// to its own protobuf. Only C types cross this boundary: no std::string, no exceptions, no
// protobuf or sentencepiece types. Strings returned by the module stay owned by it.
//
// Threads: ldm_spm_last_error() is per thread. Functions taking a const handle may run
// concurrently on one handle; ldm_spm_train() must not run on two threads at once (it sets
// sentencepiece's process-wide log level).
#pragma once

#include <cstddef>
#include <cstdint>

/// Bumped whenever a signature below changes; the engine refuses a module of another version.
#define LDM_SPM_ABI_VERSION 1

extern "C" {

/// LDM_SPM_ABI_VERSION of the module.
using LdmSpmAbiVersionFn = int (*)();
/// Message of the last failed call on this thread ("" when none); valid until the next call.
using LdmSpmLastErrorFn = const char* (*)();
/// Trains a model: `count` trainer flags as key/value pairs without the leading "--"
/// (e.g. "input" -> "a.txt,b.txt", "model_prefix" -> "/tmp/m"). Key/value pairs, not one
/// command line, so paths may hold spaces. Returns 0 on success.
using LdmSpmTrainFn = int (*)(const char* const* keys, const char* const* values, int count);
/// Loads a .model file; nullptr on failure.
using LdmSpmLoadFn = void* (*)(const char* path);
/// Frees a handle from ldm_spm_load (nullptr is fine).
using LdmSpmFreeFn = void (*)(void* handle);
/// Encodes `length` bytes of UTF-8 into piece ids (no BOS/EOS). Writes at most `maxIds` ids
/// and returns how many the text has in total (may exceed maxIds), or -1 on failure.
using LdmSpmEncodeFn = int (*)(const void* handle, const char* text, size_t length, int32_t* ids,
                               int maxIds);
/// Id of a piece (the unknown id when absent).
using LdmSpmPieceToIdFn = int (*)(const void* handle, const char* piece);
/// Copies the piece of `id` (NUL-terminated, cut to bufferSize - 1 bytes) and returns its full
/// length in bytes, or -1 when the id is out of range.
using LdmSpmIdToPieceFn = int (*)(const void* handle, int id, char* buffer, int bufferSize);
/// Number of pieces, special ones included.
using LdmSpmVocabSizeFn = int (*)(const void* handle);
/// The model's special ids (-1 where disabled).
using LdmSpmSpecialIdsFn = void (*)(const void* handle, int* unk, int* bos, int* eos, int* pad);

} // extern "C"
