// SPDX-License-Identifier: GPL-3.0-or-later
// The tables behind ClipTokenizer (internal): vocabulary, merge ranks and the BPE merge loop.
// Kept apart from the text splitting so each file stays small and the merge algorithm can be
// read (and tested through ClipTokenizer) on its own.
#pragma once

#include "ldm/result.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ldm::prompt {

/// Immutable CLIP BPE tables, shared by every copy of a ClipTokenizer.
struct ClipVocabulary
{
    /// Reads and checks the merges file (see ClipTokenizer::load).
    static Result<std::shared_ptr<const ClipVocabulary>> load(const std::string& path);

    /// Merges one pre-tokenised piece (its UTF-8 bytes) into ids, appending them to `out`.
    void bpe(std::string_view bytes, std::vector<std::int32_t>& out) const;

    /// Rank of merging `left` + `right` and the id of the result.
    struct Merge
    {
        std::int32_t rank;
        std::int32_t merged;
    };

    std::array<std::int32_t, 256> byteId{};            ///< byte -> id of its character
    std::vector<std::string> tokens;                   ///< id -> byte-encoded spelling
    std::unordered_map<std::string, std::int32_t> ids; ///< spelling -> id (last one wins)
    std::unordered_map<std::uint64_t, Merge> merges;   ///< (left << 32 | right) -> merge
};

} // namespace ldm::prompt
