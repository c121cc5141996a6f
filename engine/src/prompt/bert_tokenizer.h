// SPDX-License-Identifier: GPL-3.0-or-later
// bert-base-uncased WordPiece, as the CompVis LDM text-to-image model tokenizes its prompts
// (`BERTTokenizer` = Hugging Face BertTokenizerFast, truncation and padding to 77).
//
// Usage:
//     auto bert = ldm::prompt::BertTokenizer::load(dir + "/bert-base-uncased-vocab.txt");
//     auto seq = bert->encodeFixed("a painting of a virus monster playing guitar");
//     // seq->ids = [101] pieces... [102] [0]...   (77 ids)
//
// Steps (the `tokenizers` library's BertNormalizer, BertPreTokenizer and WordPiece):
//   1. the special tokens [PAD] [UNK] [CLS] [SEP] [MASK], typed exactly, become their ids;
//   2. clean: drop U+0000, U+FFFD and every C* character but \t \n \r; White_Space -> ' ';
//   3. put spaces around CJK ideographs (the CJK Unified Ideograph blocks BERT lists);
//   4. strip accents (NFD, drop Mn) and lower-case;
//   5. split on White_Space, and isolate punctuation (P* plus ASCII 33-47, 58-64, 91-96,
//      123-126);
//   6. WordPiece: greedy longest match, "##" before a continuation; a word longer than 100
//      characters, or one with a part no piece matches, becomes [UNK] as a whole.
//
// Threads: immutable once loaded; copies share the vocabulary; const methods are thread-safe.
#pragma once

#include "ldm/result.h"
#include "prompt/clip_tokenizer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ldm::prompt {

/// The shared, immutable tables (defined in bert_tokenizer.cpp).
struct BertVocabulary;

/// A loaded WordPiece vocabulary (one token per line, id = line number).
class BertTokenizer
{
public:
    static constexpr int ContextLength = 77;         ///< [CLS] + 75 pieces + [SEP]
    static constexpr int MaxInputCharsPerWord = 100; ///< longer words become [UNK]

    /// Reads `bert-base-uncased-vocab.txt`. InvalidFile when it is missing, unreadable, not
    /// UTF-8 or lacks one of [PAD], [UNK], [CLS], [SEP].
    static Result<BertTokenizer> load(const std::string& vocabPath);

    /// WordPiece ids of a text: no [CLS]/[SEP], no length limit. InvalidRequest when the text
    /// is not valid UTF-8.
    Result<std::vector<std::int32_t>> encode(std::string_view text) const;

    /// [CLS] + the first contextLength-2 pieces + [SEP], padded with [PAD] to contextLength.
    Result<TokenSequence> encodeFixed(std::string_view text,
                                      int contextLength = ContextLength) const;

    /// The id of a vocabulary entry ("[CLS]", "##ing"), if present.
    std::optional<std::int32_t> tokenId(std::string_view token) const;

    /// The entry of an id; empty for an unknown id.
    std::string tokenText(std::int32_t id) const;

    /// Number of lines (ids) in the vocabulary.
    std::int32_t vocabSize() const;

    std::int32_t padId() const; ///< [PAD] (0 in bert-base-uncased)
    std::int32_t unkId() const; ///< [UNK] (100)
    std::int32_t clsId() const; ///< [CLS] (101)
    std::int32_t sepId() const; ///< [SEP] (102)

private:
    explicit BertTokenizer(std::shared_ptr<const BertVocabulary> vocab);

    std::shared_ptr<const BertVocabulary> m_vocab;
};

} // namespace ldm::prompt
