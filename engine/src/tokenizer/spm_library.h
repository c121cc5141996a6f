// SPDX-License-Identifier: GPL-3.0-or-later
// Finds and loads libldm_spm_shim.so once per process (see tokenizer.h for the search order
// and shim/spm_shim_api.h for why it is a separate module).
#pragma once

#include "ldm/result.h"
#include "tokenizer/shim/spm_shim_api.h"

#include <string>

namespace ldm::detail {

/// The module's entry points. The module is never unloaded: sentencepiece keeps static
/// protobuf state that must outlive every handle.
struct SpmLibrary
{
    std::string path;
    LdmSpmLastErrorFn lastError = nullptr;
    LdmSpmTrainFn train = nullptr;
    LdmSpmLoadFn load = nullptr;
    LdmSpmFreeFn free = nullptr;
    LdmSpmEncodeFn encode = nullptr;
    LdmSpmPieceToIdFn pieceToId = nullptr;
    LdmSpmIdToPieceFn idToPiece = nullptr;
    LdmSpmVocabSizeFn vocabSize = nullptr;
    LdmSpmSpecialIdsFn specialIds = nullptr;
};

/// The loaded module; the first successful call loads it, later calls return the same one.
/// A failure is not cached, so fixing the installation (or $LDM_SPM_SHIM) and retrying works.
/// Thread-safe.
Result<const SpmLibrary*> spmLibrary();

} // namespace ldm::detail
