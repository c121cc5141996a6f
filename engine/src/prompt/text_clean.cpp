// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/text_clean.h"

#include "prompt/html_entities.h"
#include "prompt/unicode_text.h"

#include <array>
#include <unordered_map>

namespace ldm::prompt {

namespace {

/// ftfy's fix_and_explain loops until a pass changes nothing; real text settles in two or three.
constexpr int MaxFixPasses = 16;

struct Ligature
{
    char32_t from;
    const char32_t* to;
};

/// ftfy.chardata.LIGATURES.
constexpr std::array<Ligature, 22> Ligatures = {{
    {0x132, U"IJ"},       {0x133, U"ij"},  {0x149, U"\u02BCn"}, {0x1F1, U"DZ"},
    {0x1F2, U"Dz"},       {0x1F3, U"dz"},  {0x1C4, U"D\u017D"}, {0x1C5, U"D\u017E"},
    {0x1C6, U"d\u017E"},  {0x1C7, U"LJ"},  {0x1C8, U"Lj"},      {0x1C9, U"lj"},
    {0x1CA, U"NJ"},       {0x1CB, U"Nj"},  {0x1CC, U"nj"},      {0xFB00, U"ff"},
    {0xFB01, U"fi"},      {0xFB02, U"fl"}, {0xFB03, U"ffi"},    {0xFB04, U"ffl"},
    {0xFB05, U"\u017Ft"}, {0xFB06, U"st"},
}};

/// ftfy.chardata.WIDTH_MAP: U+3000 -> ' ' and the NFKC form of U+FF01..U+FFEF.
const std::unordered_map<char32_t, std::u32string>& widthMap()
{
    static const std::unordered_map<char32_t, std::u32string> map = [] {
        std::unordered_map<char32_t, std::u32string> built{{0x3000, U" "}};
        for (char32_t c = 0xFF01; c < 0xFFF0; ++c) {
            std::u32string alternate = normalize(std::u32string(1, c), NormalForm::Nfkc);
            if (alternate != std::u32string(1, c))
                built.emplace(c, std::move(alternate));
        }
        return built;
    }();
    return map;
}

/// ftfy.chardata.CONTROL_CHARS.
bool isRemovedControl(char32_t c)
{
    return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
           (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

/// One character-level pass: C1 controls, ligatures, width, quotes, line breaks.
std::u32string fixCharacters(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    const auto& width = widthMap();
    for (std::size_t i = 0; i < text.size(); ++i) {
        char32_t c = text[i];
        if (c < 0x80 && c != '\r') {
            out.push_back(c);
            continue;
        }
        c = windows1252C1(c);
        bool done = false;
        for (const Ligature& l : Ligatures)
            if (l.from == c) {
                out += l.to;
                done = true;
                break;
            }
        if (done)
            continue;
        if (auto it = width.find(c); it != width.end()) {
            out += it->second;
            continue;
        }
        if (c == 0x2BC || (c >= 0x2018 && c <= 0x201B))
            c = U'\'';
        else if (c >= 0x201C && c <= 0x201F)
            c = U'"';
        if (c == U'\r') {
            if (i + 1 < text.size() && text[i + 1] == U'\n')
                ++i;
            c = U'\n';
        } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
            c = U'\n';
        }
        out.push_back(c);
    }
    return out;
}

/// ftfy's remove_terminal_escapes (ESC '[' digits-or-';' letter) then remove_control_chars.
std::u32string removeControls(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == U'[') {
            std::size_t k = i + 2;
            while (k < text.size() && ((text[k] >= U'0' && text[k] <= U'9') || text[k] == U';'))
                ++k;
            const bool letter =
                k < text.size() && ((text[k] | 0x20) >= U'a' && (text[k] | 0x20) <= U'z');
            if (letter) {
                i = k;
                continue;
            }
        }
        if (!isRemovedControl(text[i]))
            out.push_back(text[i]);
    }
    return out;
}

std::u32string fixSegment(std::u32string text, bool unescapeHtml)
{
    for (int pass = 0; pass < MaxFixPasses; ++pass) {
        std::u32string fixed = unescapeHtml ? ftfyUnescapeHtml(text) : text;
        fixed = removeControls(fixCharacters(fixed));
        fixed = normalize(fixed, NormalForm::Nfc);
        if (fixed == text)
            break;
        text = std::move(fixed);
    }
    return text;
}

std::u32string_view strip(std::u32string_view text)
{
    std::size_t first = 0;
    while (first < text.size() && isPythonSpace(text[first]))
        ++first;
    std::size_t last = text.size();
    while (last > first && isPythonSpace(text[last - 1]))
        --last;
    return text.substr(first, last - first);
}

} // namespace

std::u32string ftfyFixText(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    bool unescapeHtml = true;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t brk = text.find(U'\n', pos);
        brk = brk == std::u32string_view::npos ? text.size() : brk + 1;
        const std::u32string_view segment = text.substr(pos, brk - pos);
        if (unescapeHtml && segment.find(U'<') != std::u32string_view::npos)
            unescapeHtml = false; // ftfy's "auto": stays off for the following lines too
        out += fixSegment(std::u32string(segment), unescapeHtml);
        pos = brk;
    }
    return out;
}

std::u32string whitespaceClean(std::u32string_view text)
{
    std::u32string out;
    out.reserve(text.size());
    bool inSpace = false;
    for (char32_t c : text) {
        if (isWhiteSpace(c)) {
            inSpace = true;
            continue;
        }
        if (inSpace && !out.empty())
            out.push_back(U' ');
        inSpace = false;
        out.push_back(c);
    }
    return std::u32string(strip(out));
}

std::u32string clipCleanText(std::u32string_view text)
{
    std::u32string cleaned = ftfyFixText(text);
    cleaned = htmlUnescape(htmlUnescape(cleaned));
    cleaned = whitespaceClean(strip(cleaned));
    return pythonLower(cleaned);
}

} // namespace ldm::prompt
