// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/html_entities.h"

#include <array>
#include <optional>
#include <unordered_map>

namespace ldm::prompt {

namespace {

struct Entity
{
    const char* name;
    char32_t codePoint;
};

/// U+00A0..U+00FF in order: the HTML 4 Latin-1 entities, all valid without ';' as well.
constexpr std::array<const char*, 96> Latin1Names = {
    "nbsp",   "iexcl",  "cent",   "pound",  "curren", "yen",    "brvbar", "sect",   "uml",
    "copy",   "ordf",   "laquo",  "not",    "shy",    "reg",    "macr",   "deg",    "plusmn",
    "sup2",   "sup3",   "acute",  "micro",  "para",   "middot", "cedil",  "sup1",   "ordm",
    "raquo",  "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc",  "Atilde",
    "Auml",   "Aring",  "AElig",  "Ccedil", "Egrave", "Eacute", "Ecirc",  "Euml",   "Igrave",
    "Iacute", "Icirc",  "Iuml",   "ETH",    "Ntilde", "Ograve", "Oacute", "Ocirc",  "Otilde",
    "Ouml",   "times",  "Oslash", "Ugrave", "Uacute", "Ucirc",  "Uuml",   "Yacute", "THORN",
    "szlig",  "agrave", "aacute", "acirc",  "atilde", "auml",   "aring",  "aelig",  "ccedil",
    "egrave", "eacute", "ecirc",  "euml",   "igrave", "iacute", "icirc",  "iuml",   "eth",
    "ntilde", "ograve", "oacute", "ocirc",  "otilde", "ouml",   "divide", "oslash", "ugrave",
    "uacute", "ucirc",  "uuml",   "yacute", "thorn",  "yuml"};

/// The other names HTML5 also accepts without ';'.
constexpr Entity OtherLegacy[] = {{"amp", 0x26},  {"AMP", 0x26}, {"lt", 0x3C},   {"LT", 0x3C},
                                  {"gt", 0x3E},   {"GT", 0x3E},  {"quot", 0x22}, {"QUOT", 0x22},
                                  {"COPY", 0xA9}, {"REG", 0xAE}};

/// Names that need ';' (values checked against Python's html.entities.html5).
constexpr Entity SemicolonOnly[] = {
    {"apos", 0x27},      {"hellip", 0x2026}, {"mdash", 0x2014},  {"ndash", 0x2013},
    {"lsquo", 0x2018},   {"rsquo", 0x2019},  {"sbquo", 0x201A},  {"ldquo", 0x201C},
    {"rdquo", 0x201D},   {"bdquo", 0x201E},  {"bull", 0x2022},   {"trade", 0x2122},
    {"TRADE", 0x2122},   {"euro", 0x20AC},   {"dagger", 0x2020}, {"Dagger", 0x2021},
    {"permil", 0x2030},  {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"prime", 0x2032},
    {"Prime", 0x2033},   {"oline", 0x203E},  {"frasl", 0x2044},  {"larr", 0x2190},
    {"uarr", 0x2191},    {"rarr", 0x2192},   {"darr", 0x2193},   {"harr", 0x2194},
    {"lArr", 0x21D0},    {"rArr", 0x21D2},   {"hearts", 0x2665}, {"spades", 0x2660},
    {"clubs", 0x2663},   {"diams", 0x2666},  {"infin", 0x221E},  {"ne", 0x2260},
    {"le", 0x2264},      {"ge", 0x2265},     {"minus", 0x2212},  {"thinsp", 0x2009},
    {"ensp", 0x2002},    {"emsp", 0x2003},   {"zwnj", 0x200C},   {"zwj", 0x200D},
    {"lrm", 0x200E},     {"rlm", 0x200F},    {"OElig", 0x152},   {"oelig", 0x153},
    {"Scaron", 0x160},   {"scaron", 0x161},  {"Yuml", 0x178},    {"fnof", 0x192},
    {"circ", 0x2C6},     {"tilde", 0x2DC},   {"star", 0x2606},   {"starf", 0x2605},
    {"check", 0x2713},   {"cross", 0x2717},  {"hyphen", 0x2010}, {"dash", 0x2010},
    {"excl", 0x21},      {"quest", 0x3F},    {"num", 0x23},      {"dollar", 0x24},
    {"percnt", 0x25},    {"lpar", 0x28},     {"rpar", 0x29},     {"ast", 0x2A},
    {"plus", 0x2B},      {"comma", 0x2C},    {"period", 0x2E},   {"sol", 0x2F},
    {"colon", 0x3A},     {"semi", 0x3B},     {"equals", 0x3D},   {"lsqb", 0x5B},
    {"lbrack", 0x5B},    {"bsol", 0x5C},     {"rsqb", 0x5D},     {"rbrack", 0x5D},
    {"Hat", 0x5E},       {"lowbar", 0x5F},   {"grave", 0x60},    {"lcub", 0x7B},
    {"lbrace", 0x7B},    {"verbar", 0x7C},   {"vert", 0x7C},     {"rcub", 0x7D},
    {"rbrace", 0x7D},    {"NewLine", 0xA},   {"Tab", 0x9},       {"sum", 0x2211},
    {"prod", 0x220F},    {"radic", 0x221A},  {"asymp", 0x2248},  {"equiv", 0x2261},
    {"sdot", 0x22C5},    {"loz", 0x25CA},    {"copysr", 0x2117}, {"phone", 0x260E},
    {"female", 0x2640},  {"male", 0x2642},   {"sharp", 0x266F},  {"flat", 0x266D},
    {"natural", 0x266E}, {"sung", 0x266A},   {"Alpha", 0x391},   {"Beta", 0x392},
    {"Gamma", 0x393},    {"Delta", 0x394},   {"Epsilon", 0x395}, {"Zeta", 0x396},
    {"Eta", 0x397},      {"Theta", 0x398},   {"Iota", 0x399},    {"Kappa", 0x39A},
    {"Lambda", 0x39B},   {"Mu", 0x39C},      {"Nu", 0x39D},      {"Xi", 0x39E},
    {"Omicron", 0x39F},  {"Pi", 0x3A0},      {"Rho", 0x3A1},     {"Sigma", 0x3A3},
    {"Tau", 0x3A4},      {"Upsilon", 0x3A5}, {"Phi", 0x3A6},     {"Chi", 0x3A7},
    {"Psi", 0x3A8},      {"Omega", 0x3A9},   {"alpha", 0x3B1},   {"beta", 0x3B2},
    {"gamma", 0x3B3},    {"delta", 0x3B4},   {"epsilon", 0x3B5}, {"zeta", 0x3B6},
    {"eta", 0x3B7},      {"theta", 0x3B8},   {"iota", 0x3B9},    {"kappa", 0x3BA},
    {"lambda", 0x3BB},   {"mu", 0x3BC},      {"nu", 0x3BD},      {"xi", 0x3BE},
    {"omicron", 0x3BF},  {"pi", 0x3C0},      {"rho", 0x3C1},     {"sigmaf", 0x3C2},
    {"sigma", 0x3C3},    {"tau", 0x3C4},     {"upsilon", 0x3C5}, {"phi", 0x3C6},
    {"chi", 0x3C7},      {"psi", 0x3C8},     {"omega", 0x3C9}};

/// Windows-1252 for 0x80..0x9F; 0 marks the five bytes it leaves undefined.
constexpr std::array<char32_t, 32> Cp1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

struct Tables
{
    std::unordered_map<std::string, char32_t> withSemicolon; ///< every name, written with ';'
    std::unordered_map<std::string, char32_t> legacy;        ///< names valid without ';'
};

const Tables& tables()
{
    static const Tables t = [] {
        Tables built;
        for (std::size_t i = 0; i < Latin1Names.size(); ++i)
            built.legacy.emplace(Latin1Names[i], static_cast<char32_t>(0xA0 + i));
        for (const Entity& e : OtherLegacy)
            built.legacy.emplace(e.name, e.codePoint);
        built.withSemicolon = built.legacy;
        for (const Entity& e : SemicolonOnly)
            built.withSemicolon.emplace(e.name, e.codePoint);
        return built;
    }();
    return t;
}

std::optional<char32_t> lookup(const std::unordered_map<std::string, char32_t>& table,
                               std::u32string_view name)
{
    std::string ascii;
    for (char32_t c : name) {
        if (c >= 0x80)
            return std::nullopt;
        ascii.push_back(static_cast<char>(c));
    }
    const auto it = table.find(ascii);
    if (it == table.end())
        return std::nullopt;
    return it->second;
}

bool isAsciiDigit(char32_t c)
{
    return c >= '0' && c <= '9';
}
bool isHexDigit(char32_t c)
{
    return isAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool isAsciiAlnum(char32_t c)
{
    return isAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// Parses digits (already checked) into a value, saturating above U+10FFFF.
char32_t parseNumber(std::u32string_view digits, bool hex)
{
    std::uint32_t value = 0;
    for (char32_t c : digits) {
        const std::uint32_t d = isAsciiDigit(c) ? c - '0' : ((c | 0x20) - 'a' + 10);
        value = value * (hex ? 16 : 10) + d;
        if (value > 0x10FFFF)
            return 0x110000;
    }
    return value;
}

/// Python html._replace_charref for a numeric reference: "" for invalid code points.
std::u32string numericReference(char32_t num)
{
    if (num == 0)
        return U"\uFFFD";
    if (num == 0x0D)
        return U"\r";
    if (num >= 0x80 && num <= 0x9F)
        return std::u32string(1, windows1252C1(num));
    if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF)
        return U"\uFFFD";
    const bool invalid = (num >= 0x1 && num <= 0x8) || num == 0xB || (num >= 0xE && num <= 0x1F) ||
                         num == 0x7F || (num >= 0xFDD0 && num <= 0xFDEF) ||
                         (num & 0xFFFE) == 0xFFFE;
    return invalid ? std::u32string() : std::u32string(1, num);
}

bool endsNamedReference(char32_t c)
{
    return c == '\t' || c == '\n' || c == '\f' || c == ' ' || c == '<' || c == '&' || c == '#' ||
           c == ';';
}

} // namespace

char32_t windows1252C1(char32_t c1)
{
    if (c1 < 0x80 || c1 > 0x9F)
        return c1;
    const char32_t mapped = Cp1252High[c1 - 0x80];
    return mapped ? mapped : c1;
}

std::u32string htmlUnescape(std::u32string_view text)
{
    if (text.find(U'&') == std::u32string_view::npos)
        return std::u32string(text);
    const Tables& t = tables();
    std::u32string out;
    out.reserve(text.size());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (text[i] != U'&') {
            out.push_back(text[i++]);
            continue;
        }
        const std::size_t j = i + 1;
        if (j < n && text[j] == U'#') {
            const bool dec = j + 1 < n && isAsciiDigit(text[j + 1]);
            const bool hex = !dec && j + 2 < n && (text[j + 1] == U'x' || text[j + 1] == U'X') &&
                             isHexDigit(text[j + 2]);
            if (!dec && !hex) {
                out.push_back(text[i++]);
                continue;
            }
            std::size_t k = j + (hex ? 2 : 1);
            const std::size_t start = k;
            while (k < n && (hex ? isHexDigit(text[k]) : isAsciiDigit(text[k])))
                ++k;
            out += numericReference(parseNumber(text.substr(start, k - start), hex));
            i = (k < n && text[k] == U';') ? k + 1 : k;
            continue;
        }
        std::size_t k = j;
        while (k < n && k - j < 32 && !endsNamedReference(text[k]))
            ++k;
        if (k == j) {
            out.push_back(text[i++]);
            continue;
        }
        const std::u32string_view name = text.substr(j, k - j);
        const bool semicolon = k < n && text[k] == U';';
        const std::size_t end = semicolon ? k + 1 : k;
        i = end;
        if (auto c = lookup(semicolon ? t.withSemicolon : t.legacy, name)) {
            out.push_back(*c);
            continue;
        }
        // Python: the longest name (at least two characters) that is a legacy entity.
        const std::u32string_view s = text.substr(j, end - j);
        bool replaced = false;
        for (std::size_t x = s.size() - 1; x >= 2 && x < s.size(); --x) {
            if (auto c = lookup(t.legacy, s.substr(0, x))) {
                out.push_back(*c);
                out += s.substr(x);
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out.push_back(U'&');
            out += s;
        }
    }
    return out;
}

std::u32string ftfyUnescapeHtml(std::u32string_view text)
{
    if (text.find(U'&') == std::u32string_view::npos)
        return std::u32string(text);
    const Tables& t = tables();
    std::u32string out;
    out.reserve(text.size());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        if (text[i] != U'&') {
            out.push_back(text[i++]);
            continue;
        }
        const bool numeric = i + 1 < n && text[i + 1] == U'#';
        const std::size_t start = i + 1 + (numeric ? 1 : 0);
        std::size_t k = start;
        while (k < n && isAsciiAlnum(text[k]))
            ++k;
        const std::size_t len = k - start;
        if (len < 1 || len > 24 || k >= n || text[k] != U';') {
            out.push_back(text[i++]);
            continue;
        }
        const std::u32string_view body = text.substr(start, len);
        const std::u32string_view whole = text.substr(i, k + 1 - i);
        i = k + 1;
        if (!numeric) {
            if (auto c = lookup(t.withSemicolon, body))
                out.push_back(*c);
            else
                out += whole;
            continue;
        }
        bool allDigits = true;
        for (char32_t c : body)
            allDigits = allDigits && isAsciiDigit(c);
        bool hex = len > 1 && (body[0] == U'x' || body[0] == U'X');
        for (std::size_t m = 1; hex && m < len; ++m)
            hex = isHexDigit(body[m]);
        if (!allDigits && !hex) {
            out += whole; // html.unescape would decode only a part: ftfy keeps the text
            continue;
        }
        const std::u32string decoded =
            numericReference(parseNumber(hex ? body.substr(1) : body, hex));
        if (decoded.find(U';') != std::u32string::npos)
            out += whole;
        else
            out += decoded;
    }
    return out;
}

} // namespace ldm::prompt
