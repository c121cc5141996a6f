// SPDX-License-Identifier: GPL-3.0-or-later
// CLIP's text cleaning: basic_clean, whitespace_clean and lower-casing, in that order.
//
// openai/CLIP (and open_clip) run `ftfy.fix_text(text)`, then `html.unescape` twice, then
// collapse whitespace and lower-case. ftfy is a large heuristic library; what it does to a
// prompt someone typed is reproduced here, following ftfy 6.1's fix_text step by step:
//   - per line: unescape `&name;` / `&#n;` (skipped from the first line holding '<' on, as
//     ftfy's "auto" mode does), C1 controls read as Windows-1252, the Latin ligatures and
//     digraphs (ﬁ -> fi, Ǆ -> DŽ), full-width / half-width forms (NFKC of U+FF01..U+FFEF,
//     U+3000 -> space), curly quotes to straight ones, line breaks, ANSI terminal escapes,
//     control characters removed, NFC — repeated until nothing changes;
//   - then html.unescape twice (Python's rules), strip, whitespace runs -> one space, lower.
// Not reproduced: ftfy's mojibake repair (fix_encoding: "cafÃ©" stays as typed), its
// upper-case entity variants and most of the 2,231 HTML5 entity names (html_entities.h), and
// its 1,000,000-character segment limit. Text that needs none of these (any prompt typed in a
// UTF-8 editor) gives the same code points as the Python reference.
#pragma once

#include <string>
#include <string_view>

namespace ldm::prompt {

/// ftfy.fix_text as described above (without mojibake repair).
std::u32string ftfyFixText(std::u32string_view text);

/// CLIP's whitespace_clean: every run of White_Space becomes one space, then strip.
std::u32string whitespaceClean(std::u32string_view text);

/// The whole CLIP pre-processing: whitespace_clean(basic_clean(text)).lower().
std::u32string clipCleanText(std::u32string_view text);

} // namespace ldm::prompt
