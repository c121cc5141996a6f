// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/unicode_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <memory>

namespace ldm::prompt {

namespace {

utf8proc_category_t categoryOf(char32_t c)
{
    return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

bool isAscii(std::u32string_view text)
{
    for (char32_t c : text)
        if (c >= 0x80)
            return false;
    return true;
}

/// Python's Cased property, approximated: a cased letter or anything with a case mapping.
/// (It misses the few Other_Lowercase letters without mappings, such as U+00AA.)
bool isCased(char32_t c)
{
    const auto cat = categoryOf(c);
    if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT)
        return true;
    const auto cp = static_cast<utf8proc_int32_t>(c);
    return utf8proc_tolower(cp) != cp || utf8proc_toupper(cp) != cp;
}

/// Python's Case_Ignorable property, approximated by its categories (Mn, Me, Cf, Lm, Sk) and the
/// Word_Break MidLetter / MidNumLet / Single_Quote characters.
bool isCaseIgnorable(char32_t c)
{
    switch (categoryOf(c)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_SK:
        return true;
    default:
        break;
    }
    constexpr char32_t WordBreakMid[] = {0x27,   0x2E,   0x3A,   0xB7,   0x387,  0x55F,
                                         0x5F4,  0x2018, 0x2019, 0x2024, 0x2027, 0xFE13,
                                         0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};
    return std::find(std::begin(WordBreakMid), std::end(WordBreakMid), c) != std::end(WordBreakMid);
}

/// CPython's handle_capital_sigma(): σ, or ς at the end of a word.
char32_t lowerSigma(std::u32string_view text, std::size_t i)
{
    std::size_t j = i;
    char32_t c = 0;
    bool found = false;
    while (j > 0) {
        c = text[--j];
        if (!isCaseIgnorable(c)) {
            found = true;
            break;
        }
    }
    bool finalSigma = found && isCased(c);
    if (finalSigma && i + 1 < text.size()) {
        std::size_t k = i + 1;
        while (k < text.size() && isCaseIgnorable(text[k]))
            ++k;
        finalSigma = k == text.size() || !isCased(text[k]);
    }
    return finalSigma ? 0x3C2 : 0x3C3;
}

} // namespace

std::optional<std::u32string> decodeUtf8(std::string_view text, std::size_t* errorOffset)
{
    std::u32string out;
    out.reserve(text.size());
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char b = bytes[i];
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        std::size_t len = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if ((b & 0xE0) == 0xC0) {
            len = 2, cp = b & 0x1F, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3, cp = b & 0x0F, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4, cp = b & 0x07, min = 0x10000;
        }
        bool ok = len != 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            if ((bytes[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = (cp << 6) | (bytes[i + k] & 0x3F);
        }
        ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!ok) {
            if (errorOffset)
                *errorOffset = i;
            return std::nullopt;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

std::string encodeUtf8(std::u32string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char32_t c : text)
        appendUtf8(out, c);
    return out;
}

bool isLetter(char32_t c)
{
    const auto cat = categoryOf(c);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

bool isNumber(char32_t c)
{
    const auto cat = categoryOf(c);
    return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool isDecimalDigit(char32_t c)
{
    return categoryOf(c) == UTF8PROC_CATEGORY_ND;
}

bool isNonspacingMark(char32_t c)
{
    return categoryOf(c) == UTF8PROC_CATEGORY_MN;
}

bool isPunctuation(char32_t c)
{
    const auto cat = categoryOf(c);
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool isOther(char32_t c)
{
    const auto cat = categoryOf(c);
    return cat == UTF8PROC_CATEGORY_CN || cat >= UTF8PROC_CATEGORY_CC;
}

bool isWhiteSpace(char32_t c)
{
    if (c <= 0x20)
        return c == 0x20 || (c >= 0x09 && c <= 0x0D);
    constexpr char32_t Others[] = {0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    return (c >= 0x2000 && c <= 0x200A) ||
           std::find(std::begin(Others), std::end(Others), c) != std::end(Others);
}

bool isPythonSpace(char32_t c)
{
    return isWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
}

bool isPythonWordChar(char32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    return isLetter(c) || isNumber(c);
}

std::u32string normalize(std::u32string_view text, NormalForm form)
{
    if (isAscii(text))
        return std::u32string(text);
    int options = UTF8PROC_STABLE;
    switch (form) {
    case NormalForm::Nfc:
        options |= UTF8PROC_COMPOSE;
        break;
    case NormalForm::Nfd:
        options |= UTF8PROC_DECOMPOSE;
        break;
    case NormalForm::Nfkc:
        options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
        break;
    }
    const std::string utf8 = encodeUtf8(text);
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t length =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                     static_cast<utf8proc_ssize_t>(utf8.size()), &mapped,
                     static_cast<utf8proc_option_t>(options));
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
    if (length < 0)
        return std::u32string(text); // valid scalar values cannot fail; keep the text if it did
    auto decoded = decodeUtf8(
        std::string_view(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length)));
    return decoded ? std::move(*decoded) : std::u32string(text);
}

char32_t simpleLower(char32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

std::u32string pythonLower(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == 0x130) {
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3) {
            out.push_back(lowerSigma(text, i));
        } else {
            out.push_back(simpleLower(c));
        }
    }
    return out;
}

} // namespace ldm::prompt
