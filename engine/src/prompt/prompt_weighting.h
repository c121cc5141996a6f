// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111's prompt emphasis and 75-token chunking, so a prompt written for the webui
// gives the same token ids and per-token weights here.
//
// Usage:
//     auto chunks = ldm::prompt::chunkPrompt(clip, "a (red:1.3) house, [blurry] BREAK sky");
//     for (const auto& chunk : chunks->chunks)      // 77 ids + 77 weights each
//         encodeWithTextModel(chunk.ids, chunk.weights);
//     for (const auto& w : chunks->warnings) log(w); // e.g. an unclosed '('
//
// Emphasis (modules/prompt_parser.py, parse_prompt_attention):
//     (text) ×1.1   ((text)) ×1.21   (text:1.3) ×1.3   [text] ÷1.1
//     \( \) \[ \] \\ are literal characters; a lone '\' is dropped.
// An unclosed '(' or '[' applies to the rest of the prompt, and an unmatched ')' or ']' stays
// in the text, as in A1111. BREAK (upper case, a whole word) ends the current chunk. Adjacent
// runs of equal weight are merged. Weights are multiplied in A1111's order in doubles, so they
// are bit-identical to Python's (1.1 × 1.1 = 1.2100000000000002).
//
// Chunking (modules/sd_hijack_clip.py, tokenize_line): each run is tokenised on its own
// (ClipTokenizer::encode), tokens fill chunks of 75; when a chunk is full and a comma was among
// its last `commaBacktrack` tokens, the tokens after that comma move to the next chunk. Each
// chunk is [SOT] + 75 ids (padded with EOT) + [EOT], with weight 1.0 on SOT, EOT and padding.
// For OpenCLIP (SD-2.x) everything after the first EOT becomes the pad id 0, as A1111's
// process_tokens does. With ChunkOptions::embeddings, a run of tokens that names a
// textual-inversion embedding takes as many positions as the embedding has vectors (placeholder
// id 0, the run's weight), moved whole to the next chunk when it does not fit, and the chunk
// records where its vectors go (PromptChunk::fixes), as A1111's tokenize_line does.
//
// Differences from A1111 on text it cannot handle (A1111 raises; these never throw):
//   - "(x:1.2.3)" and other unparsable weights: the bracket closes with weight 1.0, a warning;
//   - digits other than ASCII in a weight: the same;
//   - invalid UTF-8: an InvalidRequest error instead of a result.
#pragma once

#include "ldm/result.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/embedding_names.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ldm::prompt {

/// One run of prompt text and its emphasis multiplier: A1111's `[text, weight]` pair.
struct WeightedText
{
    std::string text;    ///< UTF-8, brackets and escapes already removed
    double weight = 1.0; ///< product of the multipliers of the brackets around it
};

/// A1111's BREAK marker is the pair ["BREAK", -1]; inside brackets its weight changes and, as
/// in A1111, it is then an ordinary word. True for the marker only.
bool isBreakMarker(const WeightedText& part);

/// The result of parsing emphasis.
struct ParsedPrompt
{
    std::vector<WeightedText> parts;   ///< never empty: "" gives [{"", 1.0}]
    std::vector<std::string> warnings; ///< things a person may want fixed, in plain English
};

/// parse_prompt_attention. InvalidRequest only for invalid UTF-8.
Result<ParsedPrompt> parsePromptAttention(std::string_view prompt);

/// Where an embedding's vectors replace token embeddings in a chunk (A1111's PromptChunkFix).
struct EmbeddingFix
{
    int offset = 0;    ///< position among the chunk's 75 prompt tokens: ids[offset + 1] onwards
    int embedding = 0; ///< the index given to EmbeddingNames::add
};

/// One 77-token window of a prompt and the weight of each token.
struct PromptChunk
{
    std::vector<std::int32_t> ids; ///< [SOT] 75 ids/padding [EOT]
    std::vector<double> weights;   ///< same length; 1.0 on SOT, EOT and padding
    std::vector<EmbeddingFix> fixes; ///< embeddings named in this chunk, in prompt order
};

/// A prompt split into chunks.
struct ChunkedPrompt
{
    std::vector<PromptChunk> chunks;   ///< at least one
    int tokenCount = 0;                ///< A1111's count (75 per full chunk, then the rest)
    std::vector<std::string> warnings; ///< from the emphasis parser
};

/// Settings that A1111 keeps in its options.
struct ChunkOptions
{
    /// opts.comma_padding_backtrack: how far back (in tokens) a comma may be to end a full
    /// chunk early; 0 turns it off.
    int commaBacktrack = 20;
    /// opts.emphasis != "None": parse brackets; false takes the prompt as plain text.
    bool emphasis = true;
    /// The id after the first EOT; unset: EOT for ClipFlavor::OpenAi, 0 for OpenClip.
    std::optional<std::int32_t> padId;
    /// Textual-inversion embeddings to look for (A1111's embedding_db); null: none.
    const EmbeddingNames* embeddings = nullptr;
};

/// Tokens per chunk between SOT and EOT.
constexpr int ChunkTokenCount = 75;

/// tokenize_line with the tokenizer's flavour. InvalidRequest only for invalid UTF-8.
Result<ChunkedPrompt> chunkPrompt(const ClipTokenizer& tokenizer, std::string_view prompt,
                                  const ChunkOptions& options = {});

/// A1111's empty_chunk(), which pads the shorter of prompt and negative prompt so both have
/// the same number of chunks.
PromptChunk emptyChunk(const ClipTokenizer& tokenizer, const ChunkOptions& options = {});

} // namespace ldm::prompt
