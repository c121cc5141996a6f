// SPDX-License-Identifier: GPL-3.0-or-later
// ldm_prompt: exact CLIP / OpenCLIP / BERT ids against the reference fixtures, A1111 emphasis
// and chunking against A1111's own examples, and the failure modes (bad files, bad UTF-8).
// The fixtures come from $LDM_FIXTURES_DIR or <source>/../shared/fixtures; without them those
// tests skip, unless LDM_REQUIRE_FIXTURES=1 makes that a failure.
#include "prompt/bert_tokenizer.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/prompt_weighting.h"
#include "prompt/tokenizer_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace ldm::prompt;
using Ids = std::vector<std::int32_t>;

std::string shippedVocab(const char* name)
{
    return std::string(LDM_PROMPT_TEST_SOURCE_DIR) + "/resources/tokenizers/" + name;
}

const ClipTokenizer* clip()
{
    static const auto loaded = ClipTokenizer::load(shippedVocab(ClipVocabFileName));
    return loaded ? &loaded.value() : nullptr;
}

const BertTokenizer* bert()
{
    static const auto loaded = BertTokenizer::load(shippedVocab(BertVocabFileName));
    return loaded ? &loaded.value() : nullptr;
}

std::string repeat(const std::string& text, int times)
{
    std::string out;
    for (int i = 0; i < times; ++i)
        out += text;
    return out;
}

Ids clipIds(const std::string& text)
{
    auto ids = clip()->encode(text);
    return ids ? *ids : Ids{-1};
}

bool fixturesRequired()
{
    const char* env = std::getenv("LDM_REQUIRE_FIXTURES");
    return env && std::string(env) == "1";
}

using Fixture = std::pair<nlohmann::json, std::string>; // the document, or why it is missing

Fixture loadFixture(const std::string& relativePath)
{
    const char* env = std::getenv("LDM_FIXTURES_DIR");
    const fs::path root = env && *env
                              ? fs::path(env)
                              : fs::path(LDM_PROMPT_TEST_SOURCE_DIR) / ".." / "shared" / "fixtures";
    const fs::path file = root / relativePath;
    std::ifstream in(file);
    if (!in) {
        static bool told = false;
        const std::string why = "reference fixture " + file.string() + " not found";
        if (!told && !fixturesRequired())
            std::cerr << "\n*** " << why << ": the tokenizer fixture tests are SKIPPED. ***\n"
                      << "*** Set LDM_FIXTURES_DIR to the shared/fixtures folder. ***\n\n";
        told = true;
        return {nullptr, why};
    }
    return {nlohmann::json::parse(in), {}};
}

#define LDM_LOAD_FIXTURE(var, path, expectedKind)                                                  \
    const Fixture var = loadFixture(path);                                                         \
    if (var.first.is_null()) {                                                                     \
        if (fixturesRequired())                                                                    \
            FAIL() << var.second << " (LDM_REQUIRE_FIXTURES=1)";                                   \
        GTEST_SKIP() << var.second;                                                                \
    }                                                                                              \
    ASSERT_EQ(var.first.value("kind", ""), expectedKind);                                          \
    ASSERT_FALSE(var.first["cases"].empty())

template <typename Encode>
void checkCases(const nlohmann::json& doc, const char* name, Encode encode)
{
    int passed = 0;
    for (const auto& c : doc["cases"]) {
        const std::string prompt = c["prompt"];
        const auto expected = c["ids"].get<Ids>();
        auto got = encode(prompt);
        ASSERT_TRUE(got.ok()) << got.error().message;
        EXPECT_EQ(got->ids, expected) << "prompt: " << prompt;
        passed += got->ids == expected ? 1 : 0;
    }
    std::cout << name << ": " << passed << "/" << doc["cases"].size() << " cases exact\n";
}

TEST(ClipFixtures, Sd1OpenAiClip)
{
    ASSERT_NE(clip(), nullptr);
    LDM_LOAD_FIXTURE(f, "sd1/sd1_clip_tokenizer.json", "clip_tokenizer_cases");
    checkCases(f.first, "sd1_clip_tokenizer",
               [](const std::string& p) { return clip()->encodeFixed(p); });
}

TEST(ClipFixtures, Sd2OpenClip)
{
    ASSERT_NE(clip(), nullptr);
    LDM_LOAD_FIXTURE(f, "sd2/sd2_openclip_tokenizer.json", "openclip_tokenizer_cases");
    const ClipTokenizer openClip = clip()->withFlavor(ClipFlavor::OpenClip);
    checkCases(f.first, "sd2_openclip_tokenizer",
               [&](const std::string& p) { return openClip.encodeFixed(p); });
}

TEST(BertFixtures, LdmTextToImage)
{
    ASSERT_NE(bert(), nullptr);
    LDM_LOAD_FIXTURE(f, "sd1/bert_tokenizer_cases.json", "bert_tokenizer_cases");
    checkCases(f.first, "bert_tokenizer_cases",
               [](const std::string& p) { return bert()->encodeFixed(p); });
}

TEST(ClipTokenizer, IdsSpecialTokensAndFixedForms)
{
    ASSERT_NE(clip(), nullptr);
    EXPECT_EQ(clipIds("a photograph of an astronaut riding a horse"),
              (Ids{320, 8853, 539, 550, 18376, 6765, 320, 4558}));
    EXPECT_EQ(clip()->tokenId(",</w>"), ClipTokenizer::CommaId);
    EXPECT_EQ(clip()->decode(clipIds("Hello, World!")), "hello , world ! ");
    EXPECT_EQ(clipIds("a<|endoftext|>b"), (Ids{320, ClipTokenizer::EndId, 321}));

    const ClipTokenizer openClip = clip()->withFlavor(ClipFlavor::OpenClip);
    EXPECT_EQ(*openClip.encode("a<end_of_text>b"), (Ids{320, ClipTokenizer::EndId, 321}));
    EXPECT_EQ(openClip.encode("a<|endoftext|>b")->size(), 8u); // "<|" "endoftext" "|>" are text

    const std::string longText = repeat("cat ", 80);
    const auto sd1 = clip()->encodeFixed(longText);
    const auto sd2 = openClip.encodeFixed(longText);
    EXPECT_TRUE(sd1->truncated && sd2->truncated);
    EXPECT_EQ(sd1->ids, sd2->ids); // both: SOT + 75 + EOT
    EXPECT_EQ(sd1->ids.back(), ClipTokenizer::EndId);
    const auto shortSd2 = openClip.encodeFixed("cat");
    EXPECT_FALSE(shortSd2->truncated);
    EXPECT_EQ(shortSd2->ids[2], ClipTokenizer::EndId);
    EXPECT_EQ(shortSd2->ids[3], 0);
    EXPECT_FALSE(clip()->encodeFixed("cat", 1).ok());
}

TEST(ClipTokenizer, CleaningMatchesFtfyAndHtmlUnescape)
{
    ASSERT_NE(clip(), nullptr);
    EXPECT_EQ(clipIds("fish &amp; chips"), clipIds("fish & chips"));
    EXPECT_EQ(clipIds("fish &amp chips"), clipIds("fish & chips")); // html.unescape legacy form
    EXPECT_EQ(clipIds("&amp;amp;amp;"), clipIds("&"));
    EXPECT_EQ(clipIds("caf&eacute; &#233; &#xE9;"), clipIds("café é é"));
    EXPECT_EQ(clipIds("don\u2019t \u201cstop\u201d"), clipIds("don't \"stop\""));
    EXPECT_EQ(clipIds("\uFF21\uFF22\uFF23\u3000\uFB01ne"), clipIds("abc fine"));
    EXPECT_EQ(clipIds("cafe\u0301"), clipIds("caf\u00E9"));
    EXPECT_EQ(clipIds("  A\t\n  B\u00A0 "), clipIds("a b"));
    EXPECT_EQ(clipIds("\x1b[31mred\x1b[0m\x07"), clipIds("red"));
    EXPECT_EQ(clipIds("\u039F\u0394\u039F\u03A3"), clipIds("\u03BF\u03B4\u03BF\u03C2"));
    EXPECT_NE(clipIds("\u03C3"), clipIds("\u03C2"));
}

TEST(ClipTokenizer, InvalidUtf8IsAnErrorNotACrash)
{
    ASSERT_NE(clip(), nullptr);
    ASSERT_NE(bert(), nullptr);
    for (const std::string bad :
         {"abc\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "ok\xf4\x90\x80\x80"}) {
        const auto ids = clip()->encode(bad);
        ASSERT_FALSE(ids.ok());
        EXPECT_EQ(ids.error().code, ldm::ErrorCode::InvalidRequest);
        EXPECT_NE(ids.error().message.find("UTF-8"), std::string::npos);
        EXPECT_FALSE(bert()->encodeFixed(bad).ok());
        EXPECT_FALSE(parsePromptAttention(bad).ok());
        EXPECT_FALSE(chunkPrompt(*clip(), bad).ok());
        EXPECT_FALSE(chunkPrompt(*clip(), bad, ChunkOptions{20, false, {}}).ok());
    }
}

TEST(VocabularyFiles, BadFilesGiveClearErrors)
{
    const fs::path dir = fs::temp_directory_path() / ("tst_prompt_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& bytes) {
        std::ofstream(dir / name, std::ios::binary) << bytes;
        return (dir / name).string();
    };
    std::ifstream gz(shippedVocab(ClipVocabFileName), std::ios::binary);
    const std::string whole((std::istreambuf_iterator<char>(gz)), {});
    const std::string cases[] = {write("half.gz", whole.substr(0, whole.size() / 2)),
                                 write("short.txt", "#v\ni n\nt h\n"),
                                 write("bad.txt", "#v\ni n x\n"),
                                 write("noise.gz", std::string("\x1f\x8b\x08\x00junk", 8)),
                                 (dir / "missing.gz").string(),
                                 dir.string()};
    for (const std::string& path : cases) {
        const auto loaded = ClipTokenizer::load(path);
        ASSERT_FALSE(loaded.ok()) << path;
        EXPECT_EQ(loaded.error().code, ldm::ErrorCode::InvalidFile);
        EXPECT_NE(loaded.error().message.find(path), std::string::npos);
    }
    EXPECT_NE(ClipTokenizer::load(cases[0]).error().message.find("ends early"), std::string::npos);
    for (const std::string& path :
         {write("empty.txt", ""), write("nocls.txt", "[PAD]\n[UNK]\n"),
          write("latin1.txt", "[PAD]\n\xe9\n"), (dir / "missing.txt").string()}) {
        const auto loaded = BertTokenizer::load(path);
        ASSERT_FALSE(loaded.ok()) << path;
        EXPECT_EQ(loaded.error().code, ldm::ErrorCode::InvalidFile);
    }
    fs::remove_all(dir);
}

TEST(BertTokenizer, WordPieceRules)
{
    ASSERT_NE(bert(), nullptr);
    EXPECT_EQ((Ids{bert()->padId(), bert()->clsId(), bert()->sepId()}), (Ids{0, 101, 102}));
    EXPECT_EQ(*bert()->encode("don't"), (Ids{2123, 1005, 1056}));
    EXPECT_EQ(*bert()->encode(std::string(101, 'a')), Ids{bert()->unkId()});
    EXPECT_EQ(*bert()->encode("a [MASK] b"), (Ids{1037, 103, 1038}));
    EXPECT_EQ(*bert()->encode("R\u00C9SUM\u00C9"), *bert()->encode("resume"));
    EXPECT_EQ(bert()->encode("\u6771\u4EAC")->size(), 2u); // CJK ideographs split
    EXPECT_EQ(*bert()->encode("a\x01\u200Bb"), *bert()->encode("ab"));
}

using Parts = std::vector<std::pair<std::string, double>>;

Parts parse(const std::string& prompt, std::vector<std::string>* warnings = nullptr)
{
    auto parsed = parsePromptAttention(prompt);
    if (!parsed)
        return {{"<error>", 0}};
    if (warnings)
        *warnings = parsed->warnings;
    Parts parts;
    for (const auto& p : parsed->parts)
        parts.emplace_back(p.text, p.weight);
    return parts;
}

TEST(PromptAttention, A1111DocstringExamples)
{
    EXPECT_EQ(parse("normal text"), (Parts{{"normal text", 1.0}}));
    EXPECT_EQ(parse("an (important) word"),
              (Parts{{"an ", 1.0}, {"important", 1.1}, {" word", 1.0}}));
    EXPECT_EQ(parse("(unbalanced"), (Parts{{"unbalanced", 1.1}}));
    EXPECT_EQ(parse("\\(literal\\]"), (Parts{{"(literal]", 1.0}}));
    EXPECT_EQ(parse("(unnecessary)(parens)"), (Parts{{"unnecessaryparens", 1.1}}));
    EXPECT_EQ(parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky)))."),
              (Parts{{"a ", 1.0},
                     {"house", 1.5730000000000004},
                     {" ", 1.1},
                     {"on", 1.0},
                     {" a ", 1.1},
                     {"hill", 0.55},
                     {", sun, ", 1.1},
                     {"sky", 1.4641000000000006},
                     {".", 1.1}}));
    EXPECT_EQ(parse(""), (Parts{{"", 1.0}}));
    EXPECT_EQ(parse("((word))"), (Parts{{"word", 1.2100000000000002}}));
    EXPECT_EQ(parse("[word]"), (Parts{{"word", 1 / 1.1}}));
    EXPECT_EQ(parse("(word: 1.3 )"), (Parts{{"word", 1.3}}));
    EXPECT_EQ(parse("a \\\\ b"), (Parts{{"a \\ b", 1.0}}));
}

TEST(PromptAttention, BreakEscapesAndWarnings)
{
    std::vector<std::string> warnings;
    EXPECT_EQ(parse("a BREAK b"), (Parts{{"a", 1.0}, {"BREAK", -1.0}, {"b", 1.0}}));
    EXPECT_EQ(parse("aBREAK BREAKs"), (Parts{{"aBREAK BREAKs", 1.0}}));
    EXPECT_EQ(parse("(a BREAK b)", &warnings), (Parts{{"a", 1.1}, {"BREAK", -1.1}, {"b", 1.1}}));
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_EQ(parse("(x:1.2.3) y", &warnings), (Parts{{"x y", 1.0}}));
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_EQ(parse("a) b] c:1.5)", &warnings), (Parts{{"a) b] c:1.5)", 1.0}}));
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_EQ(parse("((a [b", &warnings).size(), 2u);
    EXPECT_EQ(warnings.size(), 2u);
    EXPECT_EQ(parse("a \\x", &warnings), (Parts{{"a x", 1.0}}));
    EXPECT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(isBreakMarker(WeightedText{"BREAK", -1}));
    EXPECT_FALSE(isBreakMarker(WeightedText{"BREAK", -1.1}));
}

TEST(PromptChunks, EmptyPromptIsOneUnconditionalChunk)
{
    ASSERT_NE(clip(), nullptr);
    const auto chunks = chunkPrompt(*clip(), "");
    ASSERT_TRUE(chunks.ok());
    ASSERT_EQ(chunks->chunks.size(), 1u);
    Ids expected(77, ClipTokenizer::EndId);
    expected[0] = ClipTokenizer::StartId;
    EXPECT_EQ(chunks->chunks[0].ids, expected);
    EXPECT_EQ(chunks->chunks[0].weights, std::vector<double>(77, 1.0));
    EXPECT_EQ(chunks->tokenCount, 0);
    EXPECT_EQ(emptyChunk(*clip()).ids, expected);
    const ClipTokenizer openClip = clip()->withFlavor(ClipFlavor::OpenClip);
    expected.assign(77, 0);
    expected[0] = ClipTokenizer::StartId;
    expected[1] = ClipTokenizer::EndId;
    EXPECT_EQ(chunkPrompt(openClip, "")->chunks[0].ids, expected);
    EXPECT_EQ(emptyChunk(openClip).ids, expected);
}

TEST(PromptChunks, WeightsLongPromptsBreakAndCommaBacktrack)
{
    ASSERT_NE(clip(), nullptr);
    const std::int32_t cat = clipIds("cat").at(0);
    const std::int32_t dog = clipIds("dog").at(0);
    const std::int32_t red = clipIds("red").at(0);

    const auto weighted = chunkPrompt(*clip(), "a (red:1.3) [cat]");
    ASSERT_EQ(weighted->chunks.size(), 1u);
    EXPECT_EQ(Ids(weighted->chunks[0].ids.begin(), weighted->chunks[0].ids.begin() + 5),
              (Ids{ClipTokenizer::StartId, 320, red, cat, ClipTokenizer::EndId}));
    EXPECT_EQ(weighted->chunks[0].weights[2], 1.3);
    EXPECT_EQ(weighted->chunks[0].weights[3], 1 / 1.1);
    EXPECT_EQ(weighted->chunks[0].weights[4], 1.0);

    const auto longOne = chunkPrompt(*clip(), repeat("cat ", 80));
    ASSERT_EQ(longOne->chunks.size(), 2u);
    EXPECT_EQ(longOne->tokenCount, 80);
    EXPECT_EQ(longOne->chunks[0].ids[75], cat);
    EXPECT_EQ(longOne->chunks[1].ids[5], cat);
    EXPECT_EQ(longOne->chunks[1].ids[6], ClipTokenizer::EndId);

    const auto broken = chunkPrompt(*clip(), "cat BREAK dog");
    ASSERT_EQ(broken->chunks.size(), 2u);
    EXPECT_EQ(broken->chunks[1].ids[1], dog);
    EXPECT_EQ(broken->tokenCount, 76);

    const std::string text = repeat("cat ", 70) + "," + repeat(" dog", 10);
    const auto backtracked = chunkPrompt(*clip(), text);
    ASSERT_EQ(backtracked->chunks.size(), 2u);
    EXPECT_EQ(backtracked->chunks[0].ids[71], ClipTokenizer::CommaId);
    EXPECT_EQ(backtracked->chunks[0].ids[72], ClipTokenizer::EndId);
    EXPECT_EQ(backtracked->chunks[1].ids[10], dog);
    EXPECT_EQ(backtracked->chunks[1].ids[11], ClipTokenizer::EndId);
    EXPECT_EQ(backtracked->tokenCount, 85);
    const auto plain = chunkPrompt(*clip(), text, ChunkOptions{0, true, {}});
    EXPECT_EQ(plain->chunks[0].ids[75], dog);
    EXPECT_EQ(plain->chunks[1].ids[6], dog);
    EXPECT_EQ(plain->chunks[1].ids[7], ClipTokenizer::EndId);

    const auto sd2 = chunkPrompt(clip()->withFlavor(ClipFlavor::OpenClip), "cat");
    EXPECT_EQ(Ids(sd2->chunks[0].ids.begin(), sd2->chunks[0].ids.begin() + 4),
              (Ids{ClipTokenizer::StartId, cat, ClipTokenizer::EndId, 0}));
}

TEST(PromptChunks, HundredKilobytePromptsAreFast)
{
    ASSERT_NE(clip(), nullptr);
    ASSERT_NE(bert(), nullptr);
    const std::string prompt =
        repeat("a ((majestic castle:1.2)), [fog], caf\u00E9 \u6771\u4EAC BREAK ", 1700);
    const std::string word(100'000, 'x');
    const auto start = std::chrono::steady_clock::now();
    const auto chunks = chunkPrompt(*clip(), prompt);
    const auto unbalanced = chunkPrompt(*clip(), std::string(20'000, '(') + "a " + word);
    const auto oneWord = clip()->encode(word);
    const auto wordPieces = bert()->encode(prompt);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(chunks.ok() && unbalanced.ok() && oneWord.ok() && wordPieces.ok());
    EXPECT_GT(chunks->chunks.size(), 1000u);
    EXPECT_FALSE(oneWord->empty());
    EXPECT_LT(seconds, 10.0) << "tokenizing 4 x 100 KB took " << seconds << " s";
}

TEST(TokenizerPaths, EnvironmentFirstThenSourceTree)
{
    ::setenv("LDM_TOKENIZER_DIR", "/nonexistent/tokenizers", 1);
    const auto dirs = tokenizerDirCandidates();
    ASSERT_GE(dirs.size(), 2u);
    EXPECT_EQ(dirs.front(), "/nonexistent/tokenizers");
    const auto found = findTokenizerFile(ClipVocabFileName);
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_TRUE(fs::equivalent(*found, shippedVocab(ClipVocabFileName)));
    const auto missing = findTokenizerFile("no-such-vocab.txt");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("/nonexistent/tokenizers"), std::string::npos);
    ::unsetenv("LDM_TOKENIZER_DIR");
}

} // namespace
