// SPDX-License-Identifier: GPL-3.0-or-later
// tokenize_line: weighted runs -> 77-token chunks, including A1111's comma backtrack.
#include "prompt/prompt_weighting.h"

#include "prompt/unicode_text.h"

namespace ldm::prompt {

namespace {

std::int32_t padIdFor(const ClipTokenizer& tokenizer, const ChunkOptions& options)
{
    if (options.padId)
        return *options.padId;
    return tokenizer.flavor() == ClipFlavor::OpenClip ? 0 : ClipTokenizer::EndId;
}

/// process_tokens: with a pad id other than EOT, every id after the first EOT becomes the pad.
void applyPadding(PromptChunk& chunk, std::int32_t padId)
{
    if (padId == ClipTokenizer::EndId)
        return;
    bool afterEnd = false;
    for (std::int32_t& id : chunk.ids) {
        if (afterEnd)
            id = padId;
        else if (id == ClipTokenizer::EndId)
            afterEnd = true;
    }
}

/// The state of tokenize_line between tokens.
class ChunkBuilder
{
public:
    explicit ChunkBuilder(int commaBacktrack)
        : m_commaBacktrack(commaBacktrack)
    {
    }

    /// What tokenize_line does at each prompt token before placing it: note a comma, move the
    /// text after a recent comma to a new chunk when this one is full, start a new chunk.
    void prepare(std::int32_t token)
    {
        const auto full = static_cast<std::size_t>(ChunkTokenCount);
        if (token == ClipTokenizer::CommaId) {
            m_lastComma = static_cast<int>(m_tokens.size());
        } else if (m_commaBacktrack != 0 && m_tokens.size() == full && m_lastComma != -1 &&
                   static_cast<int>(m_tokens.size()) - m_lastComma <= m_commaBacktrack) {
            const auto breakAt = static_cast<std::ptrdiff_t>(m_lastComma + 1);
            std::vector<std::int32_t> relocTokens(m_tokens.begin() + breakAt, m_tokens.end());
            std::vector<double> relocWeights(m_weights.begin() + breakAt, m_weights.end());
            m_tokens.resize(static_cast<std::size_t>(breakAt));
            m_weights.resize(static_cast<std::size_t>(breakAt));
            nextChunk(false);
            m_tokens = std::move(relocTokens);
            m_weights = std::move(relocWeights);
        }
        if (m_tokens.size() == full)
            nextChunk(false);
    }

    void push(std::int32_t token, double weight)
    {
        m_tokens.push_back(token);
        m_weights.push_back(weight);
    }

    /// An embedding's vectors: placeholders (id 0) that stay together in one chunk. The comma
    /// relocation above moves tokens but not fixes, so a fix can stay behind in the chunk it
    /// was made in, as in A1111.
    void addEmbedding(const EmbeddingMatch& match, double weight)
    {
        if (static_cast<int>(m_tokens.size()) + match.vectorCount > ChunkTokenCount)
            nextChunk(false);
        m_fixes.push_back(EmbeddingFix{static_cast<int>(m_tokens.size()), match.embedding});
        m_tokens.insert(m_tokens.end(), static_cast<std::size_t>(match.vectorCount), 0);
        m_weights.insert(m_weights.end(), static_cast<std::size_t>(match.vectorCount), weight);
    }

    /// next_chunk(is_last): pads, wraps in SOT/EOT and starts an empty chunk.
    void nextChunk(bool isLast)
    {
        m_tokenCount += isLast ? static_cast<int>(m_tokens.size()) : ChunkTokenCount;
        PromptChunk chunk;
        chunk.ids.reserve(ChunkTokenCount + 2);
        chunk.ids.push_back(ClipTokenizer::StartId);
        chunk.ids.insert(chunk.ids.end(), m_tokens.begin(), m_tokens.end());
        chunk.ids.resize(ChunkTokenCount + 1, ClipTokenizer::EndId);
        chunk.ids.push_back(ClipTokenizer::EndId);
        chunk.weights.push_back(1.0);
        chunk.weights.insert(chunk.weights.end(), m_weights.begin(), m_weights.end());
        chunk.weights.resize(ChunkTokenCount + 2, 1.0);
        chunk.fixes = std::move(m_fixes);
        m_fixes.clear();
        m_lastComma = -1;
        m_chunks.push_back(std::move(chunk));
        m_tokens.clear();
        m_weights.clear();
    }

    bool pending() const { return !m_tokens.empty(); }
    bool empty() const { return m_chunks.empty(); }
    int tokenCount() const { return m_tokenCount; }
    std::vector<PromptChunk> take() { return std::move(m_chunks); }

private:
    int m_commaBacktrack;
    std::vector<std::int32_t> m_tokens;
    std::vector<double> m_weights;
    std::vector<EmbeddingFix> m_fixes;
    std::vector<PromptChunk> m_chunks;
    int m_lastComma = -1;
    int m_tokenCount = 0;
};

} // namespace

Result<ChunkedPrompt> chunkPrompt(const ClipTokenizer& tokenizer, std::string_view prompt,
                                  const ChunkOptions& options)
{
    ParsedPrompt parsed;
    if (options.emphasis) {
        auto attention = parsePromptAttention(prompt);
        if (!attention)
            return attention.error();
        parsed = std::move(*attention);
    } else {
        parsed.parts.push_back(WeightedText{std::string(prompt), 1.0});
    }

    ChunkBuilder builder(options.commaBacktrack);
    for (const WeightedText& part : parsed.parts) {
        if (isBreakMarker(part)) {
            builder.nextChunk(false);
            continue;
        }
        auto tokens = tokenizer.encode(part.text);
        if (!tokens)
            return tokens.error(); // only invalid UTF-8, when emphasis parsing is off
        size_t position = 0;
        while (position < tokens->size()) {
            builder.prepare((*tokens)[position]);
            const auto match = options.embeddings
                                   ? options.embeddings->findAt(*tokens, position)
                                   : std::nullopt;
            if (!match) {
                builder.push((*tokens)[position], part.weight);
                ++position;
                continue;
            }
            builder.addEmbedding(*match, part.weight);
            position += static_cast<size_t>(match->tokenCount);
        }
    }
    if (builder.pending() || builder.empty())
        builder.nextChunk(true);

    ChunkedPrompt out;
    out.tokenCount = builder.tokenCount();
    out.chunks = builder.take();
    out.warnings = std::move(parsed.warnings);
    const std::int32_t padId = padIdFor(tokenizer, options);
    for (PromptChunk& chunk : out.chunks)
        applyPadding(chunk, padId);
    return out;
}

PromptChunk emptyChunk(const ClipTokenizer& tokenizer, const ChunkOptions& options)
{
    PromptChunk chunk;
    chunk.ids.assign(ChunkTokenCount + 2, ClipTokenizer::EndId);
    chunk.ids[0] = ClipTokenizer::StartId;
    chunk.weights.assign(ChunkTokenCount + 2, 1.0);
    applyPadding(chunk, padIdFor(tokenizer, options));
    return chunk;
}

} // namespace ldm::prompt
