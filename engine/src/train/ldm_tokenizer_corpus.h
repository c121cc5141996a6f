// SPDX-License-Identifier: GPL-3.0-or-later
// The sentencepiece model of a text-conditioned run: trained once at the start of the run on
// generator captions (repeated, so every caption word is a whole piece) plus general English
// from word lists (WordNet glosses from the Debian package wordnet-base, or
// /usr/share/dict/words), so prompts outside the caption vocabulary still tokenize sensibly.
#pragma once

#include "ldm/result.h"
#include "train/ldm_train_config.h"

#include <string>
#include <vector>

namespace ldm::train {

/// Up to `maxLines` English lines from `source`: a WordNet folder (glosses of data.noun,
/// data.verb, data.adj, data.adv, spread evenly) or a plain word list file. Missing sources
/// give an empty list.
std::vector<std::string> readWordListLines(const std::string& source, int64_t maxLines);

/// Writes `<modelPrefix>.corpus.txt` and trains `<modelPrefix>.model` / `.vocab`
/// (unigram, case-folding normaliser, ids PAD 0 UNK 1 BOS 2 EOS 3). `notes` receives which
/// word lists were used or missing.
Result<void> trainCaptionTokenizer(const std::vector<std::string>& captions,
                                   const LdmTokenizerSection& config,
                                   const std::string& modelPrefix,
                                   std::vector<std::string>* notes = nullptr);

} // namespace ldm::train
