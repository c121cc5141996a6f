// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/clip_tokenizer.h"

#include "prompt/clip_vocabulary.h"
#include "prompt/text_clean.h"
#include "prompt/unicode_text.h"

#include <array>

namespace ldm::prompt {

namespace {

/// The contractions of CLIP's pattern, in its order ('s before 't before 're ...).
constexpr std::array<std::u32string_view, 7> Contractions = {U"s", U"t",  U"re", U"ve",
                                                             U"m", U"ll", U"d"};

/// One pattern character against the (lower-cased) text under re.IGNORECASE: the `regex`
/// module also lets U+017F LONG S match 's'.
bool sameIgnoringCase(char32_t text, char32_t pattern)
{
    return text == pattern || (pattern == U's' && text == 0x17F);
}

bool matchesAt(std::u32string_view text, std::size_t pos, std::u32string_view pattern)
{
    if (text.size() - pos < pattern.size())
        return false;
    for (std::size_t k = 0; k < pattern.size(); ++k)
        if (!sameIgnoringCase(text[pos + k], pattern[k]))
            return false;
    return true;
}

/// `[^\s\p{L}\p{N}]` under re.IGNORECASE. U+0345 (a combining mark whose case variants are
/// letters) matches no branch of the pattern there, so the reference drops it silently.
bool isSymbolChar(char32_t c)
{
    return !isWhiteSpace(c) && !isLetter(c) && !isNumber(c) && c != 0x345;
}

/// Decodes bytes as UTF-8, each bad byte becoming U+FFFD (Python's errors="replace", roughly).
std::string lenientUtf8(std::string_view bytes)
{
    std::string out;
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t len = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : 4;
        if (i + len <= bytes.size() && decodeUtf8(bytes.substr(i, len))) {
            out.append(bytes.substr(i, len));
            i += len;
        } else {
            appendUtf8(out, 0xFFFD);
            ++i;
        }
    }
    return out;
}

} // namespace

ClipTokenizer::ClipTokenizer(std::shared_ptr<const ClipVocabulary> vocab, ClipFlavor flavor)
    : m_vocab(std::move(vocab))
    , m_flavor(flavor)
{
}

Result<ClipTokenizer> ClipTokenizer::load(const std::string& vocabPath, ClipFlavor flavor)
{
    auto vocab = ClipVocabulary::load(vocabPath);
    if (!vocab)
        return vocab.error();
    return ClipTokenizer(std::move(*vocab), flavor);
}

ClipTokenizer ClipTokenizer::withFlavor(ClipFlavor flavor) const
{
    return ClipTokenizer(m_vocab, flavor);
}

Result<std::vector<std::int32_t>> ClipTokenizer::encode(std::string_view text) const
{
    std::size_t badByte = 0;
    const auto decoded = decodeUtf8(text, &badByte);
    if (!decoded)
        return makeError(ErrorCode::InvalidRequest,
                         "the prompt is not valid UTF-8 (byte " + std::to_string(badByte) + ")");
    const std::u32string clean = clipCleanText(*decoded);
    const bool openClip = m_flavor == ClipFlavor::OpenClip;
    const std::u32string_view start = openClip ? U"<start_of_text>" : U"<|startoftext|>";
    const std::u32string_view end = openClip ? U"<end_of_text>" : U"<|endoftext|>";

    std::vector<std::int32_t> ids;
    ids.reserve(clean.size() / 3 + 1);
    std::string piece;
    const std::size_t n = clean.size();
    std::size_t i = 0;
    while (i < n) {
        const char32_t c = clean[i];
        if (c == U'<' && matchesAt(clean, i, start)) {
            ids.push_back(StartId);
            i += start.size();
            continue;
        }
        if (c == U'<' && matchesAt(clean, i, end)) {
            ids.push_back(EndId);
            i += end.size();
            continue;
        }
        std::size_t j = i;
        if (c == U'\'') {
            for (std::u32string_view tail : Contractions)
                if (matchesAt(clean, i + 1, tail)) {
                    j = i + 1 + tail.size();
                    break;
                }
        }
        if (j == i) {
            if (isLetter(c)) {
                while (j < n && isLetter(clean[j]))
                    ++j;
            } else if (isNumber(c)) {
                j = i + 1;
            } else if (isSymbolChar(c)) {
                while (j < n && isSymbolChar(clean[j]))
                    ++j;
            } else {
                ++i; // a space (or U+0345): between pieces
                continue;
            }
        }
        piece.clear();
        for (std::size_t k = i; k < j; ++k)
            appendUtf8(piece, clean[k]);
        m_vocab->bpe(piece, ids);
        i = j;
    }
    return ids;
}

Result<TokenSequence> ClipTokenizer::encodeFixed(std::string_view text, int contextLength) const
{
    if (contextLength < 2)
        return makeError(ErrorCode::InvalidRequest,
                         "a CLIP context needs room for the start and end tokens");
    auto raw = encode(text);
    if (!raw)
        return raw.error();
    const auto length = static_cast<std::size_t>(contextLength);
    const std::size_t room = length - 2;
    TokenSequence seq;
    seq.truncated = raw->size() > room;
    seq.ids.reserve(length);
    seq.ids.push_back(StartId);
    if (m_flavor == ClipFlavor::OpenAi) {
        seq.ids.insert(seq.ids.end(), raw->begin(),
                       raw->begin() + static_cast<std::ptrdiff_t>(std::min(room, raw->size())));
        seq.ids.push_back(EndId);
        seq.ids.resize(length, EndId);
    } else {
        seq.ids.insert(seq.ids.end(), raw->begin(), raw->end());
        seq.ids.push_back(EndId);
        if (seq.ids.size() > length) {
            seq.ids.resize(length);
            seq.ids.back() = EndId;
        }
        seq.ids.resize(length, 0);
    }
    return seq;
}

std::optional<std::int32_t> ClipTokenizer::tokenId(std::string_view token) const
{
    const auto it = m_vocab->ids.find(std::string(token));
    if (it == m_vocab->ids.end())
        return std::nullopt;
    return it->second;
}

std::string ClipTokenizer::tokenText(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_vocab->tokens.size())
        return {};
    return m_vocab->tokens[static_cast<std::size_t>(id)];
}

std::string ClipTokenizer::decode(const std::vector<std::int32_t>& ids) const
{
    std::array<char32_t, 256> charOfByte{};
    for (unsigned b = 0; b < 256; ++b)
        charOfByte[b] = (*decodeUtf8(m_vocab->tokens[m_vocab->byteId[b]]))[0];
    std::string joined;
    for (std::int32_t id : ids) {
        std::string token = tokenText(id);
        const bool endOfWord = token.size() > 4 && token.compare(token.size() - 4, 4, "</w>") == 0;
        if (endOfWord)
            token.resize(token.size() - 4);
        joined += token;
        if (endOfWord)
            joined += ' ';
    }
    std::string bytes;
    const std::u32string chars = decodeUtf8(joined).value_or(std::u32string());
    for (char32_t c : chars) {
        if (c == U' ') {
            bytes.push_back(' ');
            continue;
        }
        for (unsigned b = 0; b < 256; ++b)
            if (charOfByte[b] == c) {
                bytes.push_back(static_cast<char>(b));
                break;
            }
    }
    return lenientUtf8(bytes);
}

} // namespace ldm::prompt
