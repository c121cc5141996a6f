// SPDX-License-Identifier: GPL-3.0-or-later
// The few Unicode facts the tokenizers need, on top of utf8proc.
//
// The reference tokenizers are Python: they see text as code points, classify them with
// unicodedata / the `regex` module and lower-case with str.lower(). So the C++ side decodes
// UTF-8 once, strictly (a bad byte is the caller's error, reported with its offset), works on
// std::u32string and encodes back only for the byte-level BPE and the outputs. Each predicate
// below names the Python rule it stands for, because "whitespace" and "word character" mean
// different sets in str.isspace(), the `regex` module and the `re` module.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ldm::prompt {

/// Strict UTF-8 decoding (no overlong forms, surrogates or values above U+10FFFF). On failure
/// returns nullopt and, when given, stores the offset of the first bad byte in *errorOffset.
std::optional<std::u32string> decodeUtf8(std::string_view text, std::size_t* errorOffset = nullptr);

/// Appends the UTF-8 form of one code point (which must be a valid scalar value).
void appendUtf8(std::string& out, char32_t codePoint);

/// UTF-8 form of a code point string.
std::string encodeUtf8(std::u32string_view text);

/// General category L* (Lu, Ll, Lt, Lm, Lo): `\p{L}`.
bool isLetter(char32_t c);

/// General category N* (Nd, Nl, No): `\p{N}`.
bool isNumber(char32_t c);

/// General category Nd: what Python's `re` module means by `\d` in a str pattern.
bool isDecimalDigit(char32_t c);

/// General category Mn (a non-spacing mark, dropped when BERT strips accents).
bool isNonspacingMark(char32_t c);

/// General category P* (any punctuation).
bool isPunctuation(char32_t c);

/// General category C* (Cc, Cf, Cs, Co and unassigned Cn).
bool isOther(char32_t c);

/// The White_Space property: `\s` of the `regex` module (CLIP) and Rust's char::is_whitespace
/// (the BERT tokenizer of Hugging Face `tokenizers`).
bool isWhiteSpace(char32_t c);

/// Python's str.isspace() and `\s` of the `re` module: White_Space plus U+001C..U+001F.
bool isPythonSpace(char32_t c);

/// `\w` of Python's `re` module: a letter, a number or '_'.
bool isPythonWordChar(char32_t c);

/// Unicode normalisation forms used by the tokenizers.
enum class NormalForm { Nfc, Nfd, Nfkc };

/// The text in the given normal form (utf8proc, Unicode 15).
std::u32string normalize(std::u32string_view text, NormalForm form);

/// Python's str.lower(): the simple lower-case mapping, plus U+0130 -> "i\u0307" and the
/// final-sigma rule (approximated: see unicode_text.cpp).
std::u32string pythonLower(std::u32string_view text);

/// The simple lower-case mapping of one code point.
char32_t simpleLower(char32_t c);

} // namespace ldm::prompt
