// SPDX-License-Identifier: GPL-3.0-or-later
// CLIP's byte-level BPE tokenizer, exactly as openai/CLIP's simple_tokenizer.py (SD-1.x) and
// open_clip's tokenize() (SD-2.x) produce ids, without LibTorch.
//
// Usage:
//     auto clip = ldm::prompt::ClipTokenizer::load(dir + "/clip_bpe_simple_vocab_16e6.txt.gz");
//     if (!clip) { show(clip.error().message); return; }
//     auto seq = clip->encodeFixed("a photograph of an astronaut");  // 77 ids for SD-1.x
//     auto sd2 = clip->withFlavor(ldm::prompt::ClipFlavor::OpenClip); // shares the vocabulary
//
// The text is cleaned (text_clean.h: ftfy subset, HTML entities, whitespace, lower-case), split
// with CLIP's pattern
//     <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// (re.IGNORECASE, written out by hand over Unicode categories), each piece's UTF-8 bytes are
// mapped through bytes_to_unicode and merged with the first 48,894 merges of the vocabulary
// file, the last symbol carrying "</w>". The two flavours differ only in how the special tokens
// are spelled in a prompt (<|startoftext|> vs <start_of_text>) and in the fixed-length form.
//
// There is no BPE cache: merging uses a priority queue (O(n log n) per word) and gives the
// same result as the reference's repeated lowest-rank pass, so a 100 KB "word" stays fast.
//
// Threads: a loaded tokenizer is immutable; copies share the vocabulary and const methods may
// be called from any number of threads at once.
#pragma once

#include "ldm/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ldm::prompt {

/// Which reference's rules apply.
enum class ClipFlavor {
    OpenAi,  ///< openai/CLIP + Hugging Face CLIPTokenizer as SD-1.x uses it: pad with EOT
    OpenClip ///< open_clip tokenize() as SD-2.x uses it: pad with 0, specials <start_of_text>
};

/// A fixed-length id sequence, and whether the text had to be cut to fit.
struct TokenSequence
{
    std::vector<std::int32_t> ids; ///< exactly the requested context length
    bool truncated = false;        ///< the text had more tokens than fit between SOT and EOT
};

/// The shared, immutable tables (clip_vocabulary.h).
struct ClipVocabulary;

/// A loaded CLIP BPE vocabulary with the rules of one flavour.
class ClipTokenizer
{
public:
    static constexpr std::int32_t StartId = 49406;     ///< <|startoftext|> / <start_of_text>
    static constexpr std::int32_t EndId = 49407;       ///< <|endoftext|> / <end_of_text>
    static constexpr std::int32_t CommaId = 267;       ///< ",</w>", where A1111 prefers to break
    static constexpr std::int32_t VocabSize = 49408;   ///< ids are 0 .. VocabSize-1
    static constexpr int MergeCount = 49152 - 256 - 2; ///< merges CLIP uses from the file
    static constexpr int ContextLength = 77;           ///< SOT + 75 tokens + EOT

    /// Reads `clip_bpe_simple_vocab_16e6.txt.gz` (gzip, or the same text uncompressed).
    /// InvalidFile, with the reason, when it is missing, unreadable, truncated, not UTF-8 or
    /// has fewer than MergeCount well-formed merge lines.
    static Result<ClipTokenizer> load(const std::string& vocabPath,
                                      ClipFlavor flavor = ClipFlavor::OpenAi);

    /// The same vocabulary with another flavour's rules (no copy of the tables).
    ClipTokenizer withFlavor(ClipFlavor flavor) const;

    /// The flavour whose rules this tokenizer follows.
    ClipFlavor flavor() const { return m_flavor; }

    /// Token ids of a text: no SOT/EOT, no length limit (the reference's `encode`). A special
    /// token spelled in the text (per flavour) becomes its id. InvalidRequest when the text is
    /// not valid UTF-8 (the message gives the byte offset).
    Result<std::vector<std::int32_t>> encode(std::string_view text) const;

    /// The text's ids as the SD text encoder takes them, contextLength (>= 2) ids long.
    /// OpenAi: [SOT] + first contextLength-2 ids + [EOT], padded with EOT (HF CLIPTokenizer with
    /// truncation and max_length padding). OpenClip: [SOT] + ids + [EOT] zero-padded; when
    /// longer, the first contextLength ids with the last one set to EOT.
    Result<TokenSequence> encodeFixed(std::string_view text,
                                      int contextLength = ContextLength) const;

    /// The id of a vocabulary entry in its byte-encoded spelling (",</w>", "<|endoftext|>");
    /// both flavours' spellings of the special tokens are known.
    std::optional<std::int32_t> tokenId(std::string_view token) const;

    /// The vocabulary entry of an id in its byte-encoded spelling; empty for an unknown id.
    std::string tokenText(std::int32_t id) const;

    /// The UTF-8 text of ids ("</w>" becomes a space), for logs and tests; unknown ids are
    /// skipped and bytes that do not form UTF-8 become U+FFFD.
    std::string decode(const std::vector<std::int32_t>& ids) const;

private:
    ClipTokenizer(std::shared_ptr<const ClipVocabulary> vocab, ClipFlavor flavor);

    std::shared_ptr<const ClipVocabulary> m_vocab;
    ClipFlavor m_flavor = ClipFlavor::OpenAi;
};

} // namespace ldm::prompt
