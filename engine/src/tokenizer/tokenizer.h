// SPDX-License-Identifier: GPL-3.0-or-later
// Prompt tokenizer on top of sentencepiece, for the text encoders we train ourselves.
//
// Usage:
//     auto trained = ldm::Tokenizer::train({"corpus.txt"}, "/tmp/captions", 8000);
//     auto tok = ldm::Tokenizer::load("/tmp/captions.model");
//     bool cut = false;
//     std::vector<int64_t> ids = tok->encode("a red house", 77, &cut);
//     // ids = [BOS] pieces... [EOS] [PAD]...   (77 ids); "" gives the unconditional prompt
//
// Id layout (fixed by the trainer flags train() passes, checked by load()):
//     PAD = 0, UNK = 1, BOS = 2, EOS = 3
// which mirrors the BERT layout of the CompVis text models ([CLS] pieces [SEP] [PAD]...) with
// our own ids. A model with other special ids is refused, because a text encoder trained on
// one layout gives wrong conditioning for another without any visible error.
//
// sentencepiece itself lives in libldm_spm_shim.so, loaded on first use with RTLD_DEEPBIND
// (its bundled protobuf crashes a process that links LibTorch otherwise). The module is
// looked up in this order: $LDM_SPM_SHIM (a file path), next to the running executable,
// ../lib/latent-canvas/ relative to the executable (the install layout).
//
// Threads: a loaded Tokenizer is immutable; const methods may be called from several threads
// at once, and copies share the model. train() calls are serialised internally.
#pragma once

#include "ldm/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ldm {

/// Trainer settings beyond corpus, prefix and vocabulary size. Field comments name the
/// sentencepiece trainer flag each one sets.
struct TokenizerTrainOptions
{
    /// model_type: unigram, bpe, char or word.
    std::string modelType = "unigram";
    /// character_coverage: share of characters that get pieces; the rest become UNK.
    double characterCoverage = 1.0;
    /// normalization_rule_name: nmt_nfkc keeps case, nmt_nfkc_cf folds it.
    std::string normalizationRule = "nmt_nfkc";
    /// hard_vocab_limit: false lets a small corpus end with fewer pieces instead of failing.
    bool hardVocabLimit = true;
    /// input_sentence_size: 0 uses every line.
    int64_t inputSentenceSize = 0;
    /// minloglevel 1 (warnings and errors only) instead of 0 (progress on stderr).
    bool quiet = true;
    /// Further trainer flags, name without "--" and value; these win over the fields above.
    std::vector<std::pair<std::string, std::string>> extraFlags;
};

/// A loaded sentencepiece model producing fixed-length, BERT-style id sequences.
class Tokenizer
{
public:
    static constexpr int64_t PadId = 0; ///< pads a prompt to its fixed length
    static constexpr int64_t UnkId = 1; ///< any text the model has no piece for
    static constexpr int64_t BosId = 2; ///< first id of every prompt (BERT's [CLS])
    static constexpr int64_t EosId = 3; ///< ends every prompt, kept on truncation ([SEP])

    /// Loads a `.model` file. InvalidFile when unreadable or when its special ids differ from
    /// the layout above; Internal when the sentencepiece module cannot be found or loaded
    /// (a broken installation; the message says where it looked).
    static Result<Tokenizer> load(const std::string& modelPath);

    /// Trains a model on UTF-8 text files (one sentence per line) and writes
    /// `<modelPrefix>.model` and `<modelPrefix>.vocab`, with the id layout above.
    /// sentencepiece logs its progress to stderr unless options.quiet.
    static Result<void> train(const std::vector<std::string>& corpusFiles,
                              const std::string& modelPrefix, int vocabSize,
                              const TokenizerTrainOptions& options = {});

    /// [BOS] pieces... [EOS] then PAD up to exactly `maxLen` ids. Pieces that do not fit are
    /// dropped (EOS is kept) and `*truncated` says so. An empty text gives
    /// [BOS][EOS][PAD...], the unconditional prompt. Returns an empty vector when
    /// maxLen < 2 or sentencepiece fails on the text.
    std::vector<int64_t> encode(const std::string& text, int64_t maxLen,
                                bool* truncated = nullptr) const;

    /// The piece ids of `text` alone (no BOS/EOS/PAD, no length limit); empty on failure.
    std::vector<int64_t> encodePieces(const std::string& text) const;

    /// Number of ids, special ones included.
    int64_t vocabSize() const;
    /// Id of a piece ("▁house"), UnkId when the model lacks it.
    int64_t pieceToId(const std::string& piece) const;
    /// The piece of an id, "" when out of range.
    std::string idToPiece(int64_t id) const;

    /// Where the sentencepiece module was (or would be) loaded from, loading it if needed.
    static Result<std::string> shimPath();

private:
    struct Model;
    explicit Tokenizer(std::shared_ptr<const Model> model)
        : m_model(std::move(model))
    {
    }

    std::shared_ptr<const Model> m_model;
};

} // namespace ldm
