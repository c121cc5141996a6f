// SPDX-License-Identifier: GPL-3.0-or-later
// Which words of a prompt name a textual-inversion embedding, found the way AUTOMATIC1111's
// EmbeddingDatabase does (modules/textual_inversion/textual_inversion.py): each embedding is
// registered under the token ids of its name, and at every token of the prompt the longest
// registered id sequence that starts there wins. Matching is on tokens, not text, so
// "EasyNegative," and "(easynegative:1.2)" both match a file called EasyNegative.pt.
//
// Usage:
//     prompt::EmbeddingNames names;
//     names.add(*tokenizer.encode("EasyNegative"), /*embedding=*/0, /*vectorCount=*/8);
//     prompt::ChunkOptions options;
//     options.embeddings = &names;
//     auto chunks = prompt::chunkPrompt(tokenizer, "EasyNegative, blurry", options);
//     // chunks->chunks[0].fixes: {offset 0, embedding 0}; ids 1..8 are placeholders (0)
//
// Torch-free, like the rest of the prompt library; the vectors themselves live elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace ldm::prompt {

/// An embedding found at a prompt position: find_embedding_at_position's result.
struct EmbeddingMatch
{
    int embedding = 0;   ///< the caller's index, as given to EmbeddingNames::add
    int vectorCount = 0; ///< how many token positions its vectors take in the chunk
    int tokenCount = 0;  ///< how many prompt tokens its name spans
};

/// Embedding names by the token ids of the name.
class EmbeddingNames
{
public:
    /// Registers an embedding under its name's token ids (tokenised without SOT/EOT). Among
    /// names that share a first token, longer id sequences are tried first; of equal ones,
    /// the earlier registered wins, as A1111's stable sort does. Empty ids are ignored.
    void add(std::vector<std::int32_t> nameIds, int embedding, int vectorCount);

    /// The embedding whose name's ids start at tokens[position], or none.
    std::optional<EmbeddingMatch> findAt(const std::vector<std::int32_t>& tokens,
                                         std::size_t position) const;

    bool empty() const { return m_byFirstId.empty(); }

private:
    struct Entry
    {
        std::vector<std::int32_t> ids;
        int embedding = 0;
        int vectorCount = 0;
    };
    std::map<std::int32_t, std::vector<Entry>> m_byFirstId;
};

} // namespace ldm::prompt
