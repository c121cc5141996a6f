// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/clip_vocabulary.h"

#include "core/regular_file.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/unicode_text.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <functional>
#include <queue>

namespace ldm::prompt {

namespace {

/// The merges file is 1.3 MB unpacked; refuse anything far larger instead of inflating a bomb.
constexpr std::size_t MaxVocabBytes = 64u << 20;

Error vocabError(const std::string& path, const std::string& what)
{
    return makeError(ErrorCode::InvalidFile, "CLIP vocabulary " + path + ": " + what);
}

/// The whole (decompressed) file; zlib reads an uncompressed file as it is.
Result<std::string> readGzip(const std::string& path)
{
    // Opened as a regular file first: gzopen on a FIFO would wait for a writer.
    auto fd = files::openRegular(path, "CLIP vocabulary");
    if (!fd)
        return fd.error();
    const int descriptor = fd->release();
    gzFile file = gzdopen(descriptor, "rb");
    if (!file) {
        ::close(descriptor);
        return vocabError(path, "cannot open the file");
    }
    std::string data;
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
        if (n < 0) {
            int code = 0;
            const std::string message = gzerror(file, &code);
            gzclose(file);
            return vocabError(path, "unreadable (" + message + ")");
        }
        if (n == 0)
            break;
        data.append(buffer.data(), static_cast<std::size_t>(n));
        if (data.size() > MaxVocabBytes) {
            gzclose(file);
            return vocabError(path, "larger than 64 MB unpacked; not a CLIP merges file");
        }
    }
    int code = Z_OK;
    gzerror(file, &code);
    gzclose(file);
    if (code == Z_BUF_ERROR)
        return vocabError(path, "the gzip data ends early (truncated download?)");
    if (code != Z_OK)
        return vocabError(path, "unreadable gzip data");
    return data;
}

/// openai/CLIP bytes_to_unicode(): printable Latin-1 bytes keep their code point, the other
/// 68 take U+0100 onwards. Returned in the reference's dict order (which fixes the ids).
std::vector<std::pair<unsigned, char32_t>> bytesToUnicode()
{
    std::vector<std::pair<unsigned, char32_t>> table;
    auto printable = [](unsigned b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    };
    for (unsigned b = 0; b < 256; ++b)
        if (printable(b))
            table.emplace_back(b, static_cast<char32_t>(b));
    char32_t next = 256;
    for (unsigned b = 0; b < 256; ++b)
        if (!printable(b))
            table.emplace_back(b, next++);
    return table;
}

bool isSplitSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> splitWords(std::string_view line)
{
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isSplitSpace(line[i]))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && !isSplitSpace(line[i]))
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

std::uint64_t pairKey(std::int32_t left, std::int32_t right)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
           static_cast<std::uint32_t>(right);
}

} // namespace

Result<std::shared_ptr<const ClipVocabulary>> ClipVocabulary::load(const std::string& path)
{
    auto data = readGzip(path);
    if (!data)
        return data.error();
    std::size_t badByte = 0;
    if (!decodeUtf8(*data, &badByte))
        return vocabError(path, "not UTF-8 text (byte " + std::to_string(badByte) + ")");

    // Line 0 is the "#version" header; CLIP uses the next MergeCount lines.
    std::vector<std::pair<std::string_view, std::string_view>> mergeLines;
    mergeLines.reserve(ClipTokenizer::MergeCount);
    const std::string_view text = *data;
    std::size_t pos = text.find('\n');
    for (int line = 1; line <= ClipTokenizer::MergeCount; ++line) {
        if (pos == std::string_view::npos)
            return vocabError(path, "only " + std::to_string(mergeLines.size()) + " of the " +
                                        std::to_string(ClipTokenizer::MergeCount) +
                                        " merges CLIP needs (truncated file?)");
        const std::size_t start = pos + 1;
        pos = text.find('\n', start);
        const std::size_t end = pos == std::string_view::npos ? text.size() : pos;
        const auto words = splitWords(text.substr(start, end - start));
        if (words.size() != 2)
            return vocabError(path, "line " + std::to_string(line + 1) +
                                        " is not a merge of two symbols");
        mergeLines.emplace_back(words[0], words[1]);
    }

    auto vocab = std::make_shared<ClipVocabulary>();
    vocab->tokens.reserve(ClipTokenizer::VocabSize);
    const auto byteChars = bytesToUnicode();
    for (std::size_t i = 0; i < byteChars.size(); ++i) {
        vocab->byteId[byteChars[i].first] = static_cast<std::int32_t>(i);
        vocab->tokens.push_back(encodeUtf8(std::u32string(1, byteChars[i].second)));
    }
    for (std::size_t i = 0; i < byteChars.size(); ++i)
        vocab->tokens.push_back(vocab->tokens[i] + "</w>");
    for (const auto& [left, right] : mergeLines)
        vocab->tokens.push_back(std::string(left) + std::string(right));
    vocab->tokens.emplace_back("<|startoftext|>");
    vocab->tokens.emplace_back("<|endoftext|>");
    for (std::size_t id = 0; id < vocab->tokens.size(); ++id)
        vocab->ids.insert_or_assign(vocab->tokens[id], static_cast<std::int32_t>(id));
    vocab->ids.insert_or_assign("<start_of_text>", ClipTokenizer::StartId);
    vocab->ids.insert_or_assign("<end_of_text>", ClipTokenizer::EndId);

    // Merges whose halves are not tokens can never apply; dict(zip(...)) keeps the last rank.
    vocab->merges.reserve(mergeLines.size());
    for (std::size_t rank = 0; rank < mergeLines.size(); ++rank) {
        const auto& [left, right] = mergeLines[rank];
        const auto l = vocab->ids.find(std::string(left));
        const auto r = vocab->ids.find(std::string(right));
        if (l == vocab->ids.end() || r == vocab->ids.end())
            continue;
        const auto merged = vocab->ids.find(std::string(left) + std::string(right));
        vocab->merges.insert_or_assign(pairKey(l->second, r->second),
                                       Merge{static_cast<std::int32_t>(rank), merged->second});
    }
    return std::shared_ptr<const ClipVocabulary>(std::move(vocab));
}

void ClipVocabulary::bpe(std::string_view bytes, std::vector<std::int32_t>& out) const
{
    const std::size_t n = bytes.size();
    if (n == 0)
        return;
    // A doubly linked list of symbols; merged-away nodes get id -1.
    struct Node
    {
        std::int32_t id;
        std::int32_t prev;
        std::int32_t next;
    };
    std::vector<Node> nodes(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t base = byteId[static_cast<unsigned char>(bytes[i])];
        nodes[i] = Node{i + 1 == n ? base + 256 : base, static_cast<std::int32_t>(i) - 1,
                        i + 1 == n ? -1 : static_cast<std::int32_t>(i) + 1};
    }
    struct Candidate
    {
        std::int32_t rank;
        std::int32_t pos;
        std::int32_t left;
        std::int32_t right;
        bool operator>(const Candidate& o) const
        {
            return rank != o.rank ? rank > o.rank : pos > o.pos;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    std::vector<Candidate> pending;
    auto consider = [&](std::int32_t pos, std::vector<Candidate>& into) {
        if (pos < 0 || nodes[pos].next < 0)
            return;
        const std::int32_t next = nodes[pos].next;
        const auto it = merges.find(pairKey(nodes[pos].id, nodes[next].id));
        if (it != merges.end())
            into.push_back(Candidate{it->second.rank, pos, nodes[pos].id, nodes[next].id});
    };
    for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(n); ++i)
        consider(i, pending);
    for (const Candidate& c : pending)
        queue.push(c);

    // The reference merges every occurrence of the lowest-ranked pair left to right, then looks
    // again. Popping (rank, position) in order does the same, provided the pairs a pass creates
    // wait until that pass is over.
    while (!queue.empty()) {
        const std::int32_t rank = queue.top().rank;
        pending.clear();
        while (!queue.empty() && queue.top().rank == rank) {
            const Candidate c = queue.top();
            queue.pop();
            Node& node = nodes[c.pos];
            if (node.id != c.left || node.next < 0 || nodes[node.next].id != c.right)
                continue; // stale: a neighbour changed since this pair was queued
            Node& gone = nodes[node.next];
            node.id = merges.find(pairKey(c.left, c.right))->second.merged;
            node.next = gone.next;
            if (gone.next >= 0)
                nodes[gone.next].prev = c.pos;
            gone.id = -1;
            consider(node.prev, pending);
            consider(c.pos, pending);
        }
        for (const Candidate& c : pending)
            queue.push(c);
    }
    for (std::int32_t i = 0; i >= 0; i = nodes[i].next)
        out.push_back(nodes[i].id);
}

} // namespace ldm::prompt
