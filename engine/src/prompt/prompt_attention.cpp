// SPDX-License-Identifier: GPL-3.0-or-later
// parse_prompt_attention, token by token the way A1111's `re_attention` scans:
//   \(  \)  \[  \]  \\  \  (  [  :\s*([+-]?[.\d]+)\s*\)  )  ]  [^\\()\[\]:]+  :
// with `re` module semantics (\s = str.isspace, \d = Unicode Nd), first alternative wins.
#include "prompt/prompt_weighting.h"

#include "prompt/unicode_text.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace ldm::prompt {

namespace {

constexpr double RoundMultiplier = 1.1;
constexpr double SquareMultiplier = 1 / 1.1;

struct Part
{
    std::u32string text;
    double weight;
};

bool isWordChar(std::u32string_view s, std::size_t i)
{
    return i < s.size() && isPythonWordChar(s[i]);
}

/// re.split(r"\s*\bBREAK\b\s*", text): the pieces between BREAK keywords.
std::vector<std::u32string_view> splitOnBreak(std::u32string_view text)
{
    std::vector<std::u32string_view> parts;
    std::size_t partStart = 0;
    std::size_t search = 0;
    for (;;) {
        const std::size_t q = text.find(U"BREAK", search);
        if (q == std::u32string_view::npos)
            break;
        const bool before = q == 0 || !isPythonWordChar(text[q - 1]);
        const bool after = !isWordChar(text, q + 5);
        if (!before || !after) {
            search = q + 1;
            continue;
        }
        std::size_t p = q;
        while (p > partStart && isPythonSpace(text[p - 1]))
            --p;
        std::size_t e = q + 5;
        while (e < text.size() && isPythonSpace(text[e]))
            ++e;
        parts.push_back(text.substr(partStart, p - partStart));
        partStart = search = e;
    }
    parts.push_back(text.substr(partStart));
    return parts;
}

/// Python float() of `[+-]?[.\d]+`; nullopt where Python raises (or the digits are not ASCII).
std::optional<double> parseWeight(std::u32string_view text)
{
    std::string ascii;
    for (char32_t c : text) {
        if (c >= 0x80)
            return std::nullopt;
        ascii.push_back(static_cast<char>(c));
    }
    const bool negative = !ascii.empty() && ascii[0] == '-';
    const std::size_t skip = (!ascii.empty() && (ascii[0] == '-' || ascii[0] == '+')) ? 1 : 0;
    const char* first = ascii.data() + skip;
    const char* last = ascii.data() + ascii.size();
    double value = 0;
    const auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::fixed);
    if (ptr != last || first == last)
        return std::nullopt;
    if (ec == std::errc::result_out_of_range) {
        // Python rounds to 0.0 or inf instead of raising; tell the two apart by the digits.
        const std::string_view digits(first, static_cast<std::size_t>(last - first));
        const std::size_t dot = digits.find('.');
        const bool large = digits.substr(0, dot).find_first_not_of('0') != std::string::npos;
        value = large ? std::numeric_limits<double>::infinity() : 0.0;
    } else if (ec != std::errc()) {
        return std::nullopt;
    }
    return negative ? -value : value;
}

std::string quoted(std::u32string_view text)
{
    return "'" + encodeUtf8(text) + "'";
}

} // namespace

bool isBreakMarker(const WeightedText& part)
{
    return part.text == "BREAK" && part.weight == -1;
}

Result<ParsedPrompt> parsePromptAttention(std::string_view prompt)
{
    std::size_t badByte = 0;
    const auto decoded = decodeUtf8(prompt, &badByte);
    if (!decoded)
        return makeError(ErrorCode::InvalidRequest,
                         "the prompt is not valid UTF-8 (byte " + std::to_string(badByte) + ")");
    const std::u32string_view text = *decoded;
    ParsedPrompt out;
    std::vector<Part> res;
    std::vector<std::size_t> round;
    std::vector<std::size_t> square;
    std::vector<std::size_t> breakMarkers;
    int unmatchedClose = 0;
    int loneBackslashes = 0;

    auto multiplyRange = [&res](std::size_t start, double multiplier) {
        for (std::size_t p = start; p < res.size(); ++p)
            res[p].weight *= multiplier;
    };
    auto addText = [&](std::u32string_view plain) {
        const auto pieces = splitOnBreak(plain);
        for (std::size_t k = 0; k < pieces.size(); ++k) {
            if (k > 0) {
                breakMarkers.push_back(res.size());
                res.push_back(Part{U"BREAK", -1});
            }
            res.push_back(Part{std::u32string(pieces[k]), 1.0});
        }
    };

    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const char32_t c = text[i];
        if (c == U'\\') {
            const bool escape = i + 1 < n && std::u32string_view(U"()[]\\").find(text[i + 1]) !=
                                                 std::u32string_view::npos;
            res.push_back(Part{escape ? std::u32string(1, text[i + 1]) : std::u32string(), 1.0});
            loneBackslashes += escape ? 0 : 1;
            i += escape ? 2 : 1;
        } else if (c == U'(') {
            round.push_back(res.size());
            ++i;
        } else if (c == U'[') {
            square.push_back(res.size());
            ++i;
        } else if (c == U':') {
            // :\s*([+-]?[.\d]+)\s*\)
            std::size_t k = i + 1;
            while (k < n && isPythonSpace(text[k]))
                ++k;
            const std::size_t numberStart = k;
            if (k < n && (text[k] == U'+' || text[k] == U'-'))
                ++k;
            const std::size_t digitsStart = k;
            while (k < n && (text[k] == U'.' || isDecimalDigit(text[k])))
                ++k;
            const std::size_t numberEnd = k;
            while (k < n && isPythonSpace(text[k]))
                ++k;
            const bool weighted = numberEnd > digitsStart && k < n && text[k] == U')';
            if (!weighted) {
                addText(text.substr(i, 1));
                ++i;
                continue;
            }
            const std::u32string_view number = text.substr(numberStart, numberEnd - numberStart);
            if (round.empty()) {
                ++unmatchedClose;
                addText(text.substr(i, k + 1 - i));
            } else if (const auto w = parseWeight(number)) {
                if (!std::isfinite(*w))
                    out.warnings.push_back("weight " + quoted(number) + " is too large");
                multiplyRange(round.back(), *w);
                round.pop_back();
            } else {
                out.warnings.push_back("weight " + quoted(number) +
                                       " is not a number; that bracket is left at weight 1.0");
                round.pop_back();
            }
            i = k + 1;
        } else if (c == U')' && !round.empty()) {
            multiplyRange(round.back(), RoundMultiplier);
            round.pop_back();
            ++i;
        } else if (c == U']' && !square.empty()) {
            multiplyRange(square.back(), SquareMultiplier);
            square.pop_back();
            ++i;
        } else if (c == U')' || c == U']') {
            ++unmatchedClose;
            addText(text.substr(i, 1));
            ++i;
        } else {
            std::size_t k = i;
            while (k < n &&
                   std::u32string_view(U"\\()[]:").find(text[k]) == std::u32string_view::npos)
                ++k;
            addText(text.substr(i, k - i));
            i = k;
        }
    }

    if (!round.empty())
        out.warnings.push_back(std::to_string(round.size()) +
                               " '(' without a matching ')': the emphasis applies to the rest "
                               "of the prompt");
    if (!square.empty())
        out.warnings.push_back(std::to_string(square.size()) +
                               " '[' without a matching ']': the de-emphasis applies to the rest "
                               "of the prompt");
    if (unmatchedClose > 0)
        out.warnings.push_back(std::to_string(unmatchedClose) +
                               " ')' or ']' without an opening bracket, kept as text");
    if (loneBackslashes > 0)
        out.warnings.push_back("a '\\' that escapes nothing is dropped; write \\\\ for a "
                               "backslash");
    for (std::size_t pos : round)
        multiplyRange(pos, RoundMultiplier);
    for (std::size_t pos : square)
        multiplyRange(pos, SquareMultiplier);
    for (std::size_t index : breakMarkers)
        if (res[index].weight != -1) {
            out.warnings.push_back("BREAK inside brackets does not start a new chunk (as in "
                                   "A1111); it is read as the word \"BREAK\"");
            break;
        }

    if (res.empty())
        res.push_back(Part{U"", 1.0});
    for (Part& part : res) {
        if (!out.parts.empty() && out.parts.back().weight == part.weight)
            out.parts.back().text += encodeUtf8(part.text);
        else
            out.parts.push_back(WeightedText{encodeUtf8(part.text), part.weight});
    }
    return out;
}

} // namespace ldm::prompt
