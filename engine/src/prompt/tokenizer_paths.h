// SPDX-License-Identifier: GPL-3.0-or-later
// Where the shipped vocabularies (resources/tokenizers/) are found, in the same spirit as
// findModelDir() in engine/src/pipeline/model_registry.cpp: an environment override, the
// install layout next to the executable, then the source tree this library was built from.
#pragma once

#include "ldm/result.h"

#include <string>
#include <vector>

namespace ldm::prompt {

/// File name of the CLIP BPE merges (openai/CLIP, MIT).
inline constexpr const char* ClipVocabFileName = "clip_bpe_simple_vocab_16e6.txt.gz";

/// File name of the bert-base-uncased WordPiece vocabulary (Apache-2.0).
inline constexpr const char* BertVocabFileName = "bert-base-uncased-vocab.txt";

/// Folders that may hold the vocabularies, in the order they are tried: $LDM_TOKENIZER_DIR
/// (when set), <exe>/../share/latent-canvas/tokenizers (installed), and the source tree's
/// resources/tokenizers (a build that was not installed). The folders need not exist.
std::vector<std::string> tokenizerDirCandidates();

/// The path of `fileName` in the first candidate folder that has it; InvalidFile, naming every
/// folder tried, when none does.
Result<std::string> findTokenizerFile(const std::string& fileName);

} // namespace ldm::prompt
