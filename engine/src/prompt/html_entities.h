// SPDX-License-Identifier: GPL-3.0-or-later
// HTML character references, decoded the way CLIP's text cleaning decodes them.
//
// CLIP runs ftfy.fix_text (whose unescape_html step decodes `&name;` and `&#n;` forms) and then
// Python's html.unescape twice (which also decodes the legacy forms without ';', such as
// "&amp" or "&eacute"). Both rules are reproduced here. The table holds the entities a prompt
// plausibly contains — every HTML 4 Latin-1 entity, the legacy names without ';', Greek
// letters, quotes, dashes, arrows, card suits, common symbols and the ASCII punctuation names —
// not all 2,231 HTML5 names: an unlisted name such as "&HilbertSpace;" is left as text.
// ftfy's upper-case variants ("&EACUTE;") are not decoded either.
#pragma once

#include <string>
#include <string_view>

namespace ldm::prompt {

/// Python's html.unescape(): numeric references (with Python's replacements for invalid ones)
/// and named references with or without ';' (longest legacy prefix, as Python does).
std::u32string htmlUnescape(std::u32string_view text);

/// ftfy's unescape_html(): only complete `&name;` and `&#digits;` / `&#xhex;` references.
std::u32string ftfyUnescapeHtml(std::u32string_view text);

/// The Windows-1252 character for a byte 0x80..0x9F, or the byte's own code point where
/// Windows-1252 leaves it undefined (ftfy's "sloppy" codec, Python's _invalid_charrefs).
char32_t windows1252C1(char32_t c1);

} // namespace ldm::prompt
