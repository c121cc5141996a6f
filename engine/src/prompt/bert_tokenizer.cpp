// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/bert_tokenizer.h"

#include "core/regular_file.h"

#include "prompt/unicode_text.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace ldm::prompt {

/// Immutable tables shared by the copies of a BertTokenizer.
struct BertVocabulary
{
    std::vector<std::string> tokens;
    std::unordered_map<std::string, std::int32_t> ids;
    std::int32_t pad = 0;
    std::int32_t unk = 0;
    std::int32_t cls = 0;
    std::int32_t sep = 0;
    std::size_t maxTokenChars = 0; ///< longest entry in code points: no longer piece can match
    std::vector<std::pair<std::u32string, std::int32_t>> specials; ///< matched in raw text
};

namespace {

constexpr std::size_t MaxVocabBytes = 64u << 20;
constexpr std::array<const char*, 5> SpecialTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

Error vocabError(const std::string& path, const std::string& what)
{
    return makeError(ErrorCode::InvalidFile, "BERT vocabulary " + path + ": " + what);
}

/// is_chinese_char of `tokenizers`: the CJK Unified Ideograph blocks (not Hangul or kana).
/// Its fifth range starts at U+2B920, where Google's Python BERT has U+2B820; the fast
/// tokenizer is the one CompVis used.
bool isCjk(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool isBertPunctuation(char32_t c)
{
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return true;
    return isPunctuation(c);
}

/// Steps 2-4 of the header: clean, space out CJK, strip accents, lower-case.
std::u32string normalizeBert(std::u32string_view text)
{
    std::u32string cleaned;
    cleaned.reserve(text.size());
    for (char32_t c : text) {
        if (c == 0 || c == 0xFFFD)
            continue;
        if (c != U'\t' && c != U'\n' && c != U'\r' && isOther(c))
            continue;
        if (isWhiteSpace(c)) {
            cleaned.push_back(U' ');
        } else if (isCjk(c)) {
            cleaned.push_back(U' ');
            cleaned.push_back(c);
            cleaned.push_back(U' ');
        } else {
            cleaned.push_back(c);
        }
    }
    std::u32string out;
    out.reserve(cleaned.size());
    for (char32_t c : normalize(cleaned, NormalForm::Nfd))
        if (!isNonspacingMark(c))
            out.push_back(simpleLower(c));
    return out;
}

} // namespace

BertTokenizer::BertTokenizer(std::shared_ptr<const BertVocabulary> vocab)
    : m_vocab(std::move(vocab))
{
}

Result<BertTokenizer> BertTokenizer::load(const std::string& vocabPath)
{
    // Only a regular file of bounded size: a FIFO would block, a device never end.
    auto read = files::readRegular(vocabPath, MaxVocabBytes, "WordPiece vocabulary");
    if (!read)
        return read.error();
    const std::string& data = *read;
    std::size_t badByte = 0;
    if (!decodeUtf8(data, &badByte))
        return vocabError(vocabPath, "not UTF-8 text (byte " + std::to_string(badByte) + ")");

    auto vocab = std::make_shared<BertVocabulary>();
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t end = data.find('\n', pos);
        if (end == std::string::npos)
            end = data.size();
        std::string token = data.substr(pos, end - pos);
        while (!token.empty() &&
               (token.back() == '\r' || token.back() == ' ' || token.back() == '\t'))
            token.pop_back();
        vocab->maxTokenChars = std::max(vocab->maxTokenChars, decodeUtf8(token)->size());
        vocab->ids.insert_or_assign(token, static_cast<std::int32_t>(vocab->tokens.size()));
        vocab->tokens.push_back(std::move(token));
        pos = end + 1;
    }
    std::int32_t* slots[] = {&vocab->pad, &vocab->unk, &vocab->cls, &vocab->sep};
    for (std::size_t k = 0; k < SpecialTokens.size(); ++k) {
        const auto it = vocab->ids.find(SpecialTokens[k]);
        if (it == vocab->ids.end()) {
            if (k < 4)
                return vocabError(vocabPath, std::string("has no ") + SpecialTokens[k] +
                                                 " entry; not a BERT WordPiece vocabulary");
            continue;
        }
        if (k < 4)
            *slots[k] = it->second;
        vocab->specials.emplace_back(*decodeUtf8(SpecialTokens[k]), it->second);
    }
    return BertTokenizer(std::move(vocab));
}

Result<std::vector<std::int32_t>> BertTokenizer::encode(std::string_view text) const
{
    std::size_t badByte = 0;
    const auto decoded = decodeUtf8(text, &badByte);
    if (!decoded)
        return makeError(ErrorCode::InvalidRequest,
                         "the prompt is not valid UTF-8 (byte " + std::to_string(badByte) + ")");
    const BertVocabulary& v = *m_vocab;
    std::vector<std::int32_t> ids;

    auto wordPiece = [&](std::u32string_view word) {
        if (word.size() > static_cast<std::size_t>(MaxInputCharsPerWord)) {
            ids.push_back(v.unk);
            return;
        }
        const std::string bytes = encodeUtf8(word);
        std::vector<std::size_t> offsets; // byte offset of each character, plus the end
        for (std::size_t b = 0; b < bytes.size(); ++b)
            if ((static_cast<unsigned char>(bytes[b]) & 0xC0) != 0x80)
                offsets.push_back(b);
        offsets.push_back(bytes.size());
        const std::size_t before = ids.size();
        std::size_t start = 0;
        std::string piece;
        while (start < word.size()) {
            std::size_t end = std::min(word.size(), start + v.maxTokenChars);
            std::int32_t found = -1;
            for (; end > start; --end) {
                piece.assign(start > 0 ? "##" : "");
                piece.append(bytes, offsets[start], offsets[end] - offsets[start]);
                if (const auto it = v.ids.find(piece); it != v.ids.end()) {
                    found = it->second;
                    break;
                }
            }
            if (found < 0) {
                ids.resize(before);
                ids.push_back(v.unk);
                return;
            }
            ids.push_back(found);
            start = end;
        }
    };
    auto tokenizeSegment = [&](std::u32string_view segment) {
        const std::u32string normalized = normalizeBert(segment);
        std::size_t i = 0;
        while (i < normalized.size()) {
            const char32_t c = normalized[i];
            if (isWhiteSpace(c)) {
                ++i;
            } else if (isBertPunctuation(c)) {
                wordPiece(std::u32string_view(normalized).substr(i, 1));
                ++i;
            } else {
                std::size_t j = i;
                while (j < normalized.size() && !isWhiteSpace(normalized[j]) &&
                       !isBertPunctuation(normalized[j]))
                    ++j;
                wordPiece(std::u32string_view(normalized).substr(i, j - i));
                i = j;
            }
        }
    };

    // Special tokens are found in the raw text first, as the tokenizer's added vocabulary does.
    const std::u32string_view raw = *decoded;
    std::size_t segmentStart = 0;
    std::size_t i = 0;
    while (i < raw.size()) {
        bool matched = false;
        if (raw[i] == U'[') {
            for (const auto& [spelling, id] : v.specials) {
                if (raw.compare(i, spelling.size(), spelling) == 0) {
                    tokenizeSegment(raw.substr(segmentStart, i - segmentStart));
                    ids.push_back(id);
                    i += spelling.size();
                    segmentStart = i;
                    matched = true;
                    break;
                }
            }
        }
        if (!matched)
            ++i;
    }
    tokenizeSegment(raw.substr(segmentStart));
    return ids;
}

Result<TokenSequence> BertTokenizer::encodeFixed(std::string_view text, int contextLength) const
{
    if (contextLength < 2)
        return makeError(ErrorCode::InvalidRequest,
                         "a BERT context needs room for [CLS] and [SEP]");
    auto raw = encode(text);
    if (!raw)
        return raw.error();
    const auto length = static_cast<std::size_t>(contextLength);
    const std::size_t room = length - 2;
    TokenSequence seq;
    seq.truncated = raw->size() > room;
    seq.ids.reserve(length);
    seq.ids.push_back(m_vocab->cls);
    seq.ids.insert(seq.ids.end(), raw->begin(),
                   raw->begin() + static_cast<std::ptrdiff_t>(std::min(room, raw->size())));
    seq.ids.push_back(m_vocab->sep);
    seq.ids.resize(length, m_vocab->pad);
    return seq;
}

std::optional<std::int32_t> BertTokenizer::tokenId(std::string_view token) const
{
    const auto it = m_vocab->ids.find(std::string(token));
    if (it == m_vocab->ids.end())
        return std::nullopt;
    return it->second;
}

std::string BertTokenizer::tokenText(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_vocab->tokens.size())
        return {};
    return m_vocab->tokens[static_cast<std::size_t>(id)];
}

std::int32_t BertTokenizer::vocabSize() const
{
    return static_cast<std::int32_t>(m_vocab->tokens.size());
}

std::int32_t BertTokenizer::padId() const
{
    return m_vocab->pad;
}
std::int32_t BertTokenizer::unkId() const
{
    return m_vocab->unk;
}
std::int32_t BertTokenizer::clsId() const
{
    return m_vocab->cls;
}
std::int32_t BertTokenizer::sepId() const
{
    return m_vocab->sep;
}

} // namespace ldm::prompt
