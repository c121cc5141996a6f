// SPDX-License-Identifier: GPL-3.0-or-later
// Tokenizer case files (`*_tokenizer*.json`, kind "<name>_tokenizer_cases"): every prompt must
// give exactly the reference ids with the vocabularies we ship in resources/tokenizers.
#include "parity/parity_fixture.h"
#include "prompt/bert_tokenizer.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/tokenizer_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>

namespace ldm::parity {

bool isTokenizerCaseKind(const std::string& kind)
{
    const std::string suffix = "_tokenizer_cases";
    return kind.size() > suffix.size() &&
           kind.compare(kind.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void runTokenizerCases(const std::filesystem::path& path)
{
    std::ifstream in(path);
    const auto cases = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(cases.is_discarded()) << path << " is not JSON";
    const std::string kind = cases.value("kind", "");
    std::function<Result<prompt::TokenSequence>(const std::string&, int)> encode;
    if (kind == "clip_tokenizer_cases" || kind == "openclip_tokenizer_cases") {
        auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
        ASSERT_TRUE(file.ok()) << file.error().message;
        auto clip = prompt::ClipTokenizer::load(*file, kind == "clip_tokenizer_cases"
                                                           ? prompt::ClipFlavor::OpenAi
                                                           : prompt::ClipFlavor::OpenClip);
        ASSERT_TRUE(clip.ok()) << clip.error().message;
        encode = [clip = *clip](const std::string& text, int n) { return clip.encodeFixed(text, n); };
    } else if (kind == "bert_tokenizer_cases") {
        auto file = prompt::findTokenizerFile(prompt::BertVocabFileName);
        ASSERT_TRUE(file.ok()) << file.error().message;
        auto bert = prompt::BertTokenizer::load(*file);
        ASSERT_TRUE(bert.ok()) << bert.error().message;
        encode = [bert = *bert](const std::string& text, int n) { return bert.encodeFixed(text, n); };
    } else {
        FAIL() << path.filename() << ": unknown tokenizer kind '" << kind
               << "'; the parity runner must be taught it";
    }
    ASSERT_TRUE(cases.contains("cases") && cases["cases"].is_array() && !cases["cases"].empty())
        << path.filename() << " has no cases";
    int exact = 0;
    const int total = int(cases["cases"].size());
    for (const auto& item : cases["cases"]) {
        const std::string text = item.value("prompt", "");
        const auto expected = item.value("ids", std::vector<int64_t>());
        auto ours = encode(text, int(expected.size()));
        ASSERT_TRUE(ours.ok()) << "prompt '" << text << "': " << ours.error().message;
        const std::vector<int64_t> got(ours->ids.begin(), ours->ids.end());
        EXPECT_EQ(got, expected) << path.filename() << ": prompt '" << text << "'";
        exact += got == expected;
    }
    const std::string id =
        path.parent_path().filename().string() + "/" + path.filename().string();
    std::printf("PARITY %-44s %-24s %d/%d prompts exact\n", id.c_str(), kind.c_str(), exact,
                total);
}

} // namespace ldm::parity
