// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/ldm_tokenizer_corpus.h"

#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace ldm::train {
namespace {

namespace fs = std::filesystem;

/// The gloss of a WordNet data line ("offset lex pos count words... | gloss"), with the
/// synset's first word in front so the word itself is in the corpus too.
std::string glossOf(const std::string& line)
{
    if (line.empty() || line[0] == ' ')
        return {}; // licence header
    const size_t bar = line.find(" | ");
    if (bar == std::string::npos)
        return {};
    std::string word;
    size_t field = 0, start = 0;
    for (size_t i = 0; i <= line.size() && field <= 4; ++i)
        if (i == line.size() || line[i] == ' ') {
            if (field == 4)
                word = line.substr(start, i - start);
            ++field;
            start = i + 1;
        }
    for (char& c : word)
        if (c == '_')
            c = ' ';
    return word + ": " + line.substr(bar + 3);
}

std::vector<std::string> readLines(const fs::path& path)
{
    std::vector<std::string> lines;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            lines.push_back(line);
    return lines;
}

/// Every k-th entry so a cap keeps the variety of the whole list.
void appendSpread(std::vector<std::string>& out, const std::vector<std::string>& lines,
                  size_t limit)
{
    if (lines.empty() || limit == 0)
        return;
    const double stride = std::max(1.0, double(lines.size()) / double(limit));
    for (double i = 0; size_t(i) < lines.size() && limit > 0; i += stride, --limit)
        out.push_back(lines[size_t(i)]);
}

} // namespace

std::vector<std::string> readWordListLines(const std::string& source, int64_t maxLines)
{
    std::vector<std::string> out;
    std::error_code ec;
    if (maxLines <= 0 || !fs::exists(source, ec))
        return out;
    if (!fs::is_directory(source, ec)) {
        appendSpread(out, readLines(source), size_t(maxLines));
        return out;
    }
    const char* parts[] = {"data.noun", "data.verb", "data.adj", "data.adv"};
    const double shares[] = {0.55, 0.2, 0.2, 0.05};
    for (size_t p = 0; p < 4; ++p) {
        std::vector<std::string> glosses;
        for (const std::string& line : readLines(fs::path(source) / parts[p]))
            if (auto gloss = glossOf(line); !gloss.empty())
                glosses.push_back(std::move(gloss));
        appendSpread(out, glosses, size_t(double(maxLines) * shares[p]));
    }
    return out;
}

Result<void> trainCaptionTokenizer(const std::vector<std::string>& captions,
                                   const LdmTokenizerSection& config,
                                   const std::string& modelPrefix, std::vector<std::string>* notes)
{
    const std::string corpus = modelPrefix + ".corpus.txt";
    {
        std::ofstream out(corpus, std::ios::trunc);
        for (int64_t r = 0; r < config.captionRepeat; ++r)
            for (const auto& caption : captions)
                out << caption << '\n';
        int64_t left = config.maxGlosses;
        for (const auto& source : config.wordLists) {
            const auto lines = readWordListLines(source, left);
            if (notes)
                notes->push_back(lines.empty() ? "word list " + source + " not found (skipped)"
                                               : "word list " + source + ": " +
                                                     std::to_string(lines.size()) + " lines");
            for (const auto& line : lines)
                out << line << '\n';
            left -= int64_t(lines.size());
        }
        out.flush();
        if (!out)
            return makeError(ErrorCode::InvalidFile, "cannot write " + corpus);
    }
    TokenizerTrainOptions options;
    options.normalizationRule = "nmt_nfkc_cf"; // prompts are matched case-insensitively
    options.hardVocabLimit = false;            // a small corpus (tests) ends with fewer pieces
    options.characterCoverage = 0.9995;        // rare glyphs of the glosses become UNK
    auto trained = Tokenizer::train({corpus}, modelPrefix, int(config.vocabSize), options);
    if (!trained)
        return makeError(trained.error().code,
                         "training the tokenizer failed: " + trained.error().message);
    return {};
}

} // namespace ldm::train
