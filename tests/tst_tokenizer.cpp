// SPDX-License-Identifier: GPL-3.0-or-later
// The sentencepiece tokenizer, trained on a generated corpus, in a process that also links and
// uses LibTorch: the combination that crashes before main() unless sentencepiece stays inside
// its DEEPBIND-loaded module (build notes section 3).
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using ldm::Tokenizer;

namespace {

const std::vector<std::string> Words = {
    "a",      "the",     "red",      "green",  "blue",     "house",  "tree",   "mountain",
    "river",  "lake",    "sunset",   "forest", "painting", "photo",  "of",     "with",
    "small",  "large",   "old",      "castle", "cat",      "dog",    "sky",    "clouds",
    "winter", "snow",    "beach",    "ocean",  "city",     "street", "night",  "light",
    "field",  "flowers", "portrait", "woman",  "man",      "boat",   "bridge", "garden"};

class TokenizerTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = fs::temp_directory_path() / ("ldm_tst_tokenizer_" + std::to_string(::getpid()));
        fs::create_directories(s_dir);
        const fs::path corpus = s_dir / "corpus with space.txt";
        std::ofstream out(corpus);
        std::mt19937 rng(7);
        std::uniform_int_distribution<size_t> pick(0, Words.size() - 1);
        std::uniform_int_distribution<int> length(3, 12);
        for (int line = 0; line < 3000; ++line) {
            const int n = length(rng);
            for (int i = 0; i < n; ++i) {
                out << (i ? " " : "") << Words[pick(rng)];
            }
            out << ".\n";
        }
        out.close();
        s_prefix = (s_dir / "tiny").string();
        auto trained = Tokenizer::train({corpus.string()}, s_prefix, VocabSize);
        ASSERT_TRUE(trained.ok()) << trained.error().message;
    }

    static void TearDownTestSuite()
    {
        std::error_code ignored;
        fs::remove_all(s_dir, ignored);
    }

    static Tokenizer loadTiny()
    {
        auto tokenizer = Tokenizer::load(s_prefix + ".model");
        EXPECT_TRUE(tokenizer.ok()) << tokenizer.error().message;
        return std::move(tokenizer).value();
    }

    static constexpr int VocabSize = 64;
    static fs::path s_dir;
    static std::string s_prefix;
};

fs::path TokenizerTest::s_dir;
std::string TokenizerTest::s_prefix;

} // namespace

TEST_F(TokenizerTest, WorksInAProcessThatUsesLibTorch)
{
    // A torch op before and after: both libraries are live in this process.
    const auto a = torch::randn({8, 8});
    EXPECT_TRUE(torch::allclose(torch::matmul(a, torch::eye(8)), a));
    const Tokenizer tokenizer = loadTiny();
    const auto ids = tokenizer.encode("a red house by the lake", 16);
    const auto tensor = torch::tensor(ids, torch::kLong).unsqueeze(0);
    EXPECT_EQ(tensor.sizes(), (std::vector<int64_t>{1, 16}));
    EXPECT_EQ(tensor[0][0].item<int64_t>(), Tokenizer::BosId);
    auto shim = Tokenizer::shimPath();
    ASSERT_TRUE(shim.ok()) << shim.error().message;
    EXPECT_TRUE(fs::exists(*shim)) << *shim;
}

TEST_F(TokenizerTest, LayoutIsBosPiecesEosPad)
{
    const Tokenizer tokenizer = loadTiny();
    EXPECT_EQ(tokenizer.vocabSize(), VocabSize);
    EXPECT_EQ(tokenizer.idToPiece(Tokenizer::PadId), "<pad>");
    EXPECT_EQ(tokenizer.idToPiece(Tokenizer::UnkId), "<unk>");
    EXPECT_EQ(tokenizer.idToPiece(Tokenizer::BosId), "<s>");
    EXPECT_EQ(tokenizer.idToPiece(Tokenizer::EosId), "</s>");

    const std::string prompt = "a painting of a castle at night";
    const auto pieces = tokenizer.encodePieces(prompt);
    ASSERT_FALSE(pieces.empty());
    bool truncated = true;
    const auto ids = tokenizer.encode(prompt, 32, &truncated);
    EXPECT_FALSE(truncated);
    ASSERT_EQ(ids.size(), 32u);
    ASSERT_LT(pieces.size() + 2, 32u);
    EXPECT_EQ(ids[0], Tokenizer::BosId);
    EXPECT_TRUE(std::equal(pieces.begin(), pieces.end(), ids.begin() + 1));
    EXPECT_EQ(ids[pieces.size() + 1], Tokenizer::EosId);
    for (size_t i = pieces.size() + 2; i < ids.size(); ++i) {
        EXPECT_EQ(ids[i], Tokenizer::PadId) << i;
    }
    for (int64_t id : pieces) {
        EXPECT_GT(id, Tokenizer::EosId);
        EXPECT_EQ(tokenizer.pieceToId(tokenizer.idToPiece(id)), id);
    }
}

TEST_F(TokenizerTest, EmptyPromptIsTheUnconditionalLayout)
{
    const Tokenizer tokenizer = loadTiny();
    bool truncated = true;
    const auto ids = tokenizer.encode("", 8, &truncated);
    EXPECT_FALSE(truncated);
    EXPECT_EQ(ids, (std::vector<int64_t>{2, 3, 0, 0, 0, 0, 0, 0}));
    EXPECT_TRUE(tokenizer.encode("", 1).empty()); // no room for BOS and EOS
}

TEST_F(TokenizerTest, TruncationKeepsEos)
{
    const Tokenizer tokenizer = loadTiny();
    const std::string prompt = "a small old castle with a garden and a bridge over the river";
    const auto pieces = tokenizer.encodePieces(prompt);
    ASSERT_GT(pieces.size(), 6u);
    bool truncated = false;
    const auto ids = tokenizer.encode(prompt, 8, &truncated);
    EXPECT_TRUE(truncated);
    ASSERT_EQ(ids.size(), 8u);
    EXPECT_EQ(ids.front(), Tokenizer::BosId);
    EXPECT_EQ(ids.back(), Tokenizer::EosId);
    EXPECT_TRUE(std::equal(ids.begin() + 1, ids.end() - 1, pieces.begin()));

    // Exactly full is not truncated.
    const auto exact = tokenizer.encode(prompt, int64_t(pieces.size()) + 2, &truncated);
    EXPECT_FALSE(truncated);
    EXPECT_EQ(exact.back(), Tokenizer::EosId);
}

TEST_F(TokenizerTest, UnknownTextStillTokenizes)
{
    const Tokenizer tokenizer = loadTiny();
    // Unseen words fall apart into known pieces; unseen characters become UNK.
    const auto unseen = tokenizer.encodePieces("greenhouse castles");
    EXPECT_FALSE(unseen.empty());
    for (int64_t id : unseen) {
        EXPECT_NE(id, Tokenizer::UnkId);
    }
    const auto foreign = tokenizer.encode("Hồ Gươm €", 16);
    ASSERT_EQ(foreign.size(), 16u);
    EXPECT_NE(std::find(foreign.begin(), foreign.end(), Tokenizer::UnkId), foreign.end());
    EXPECT_EQ(foreign.front(), Tokenizer::BosId);
}

TEST_F(TokenizerTest, ConcurrentEncodingAgrees)
{
    const Tokenizer tokenizer = loadTiny();
    const std::string prompt = "a blue boat on the ocean at sunset";
    const auto expected = tokenizer.encode(prompt, 24);
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            const Tokenizer copy = tokenizer; // copies share the model
            for (int i = 0; i < 200; ++i) {
                mismatches[size_t(t)] += copy.encode(prompt, 24) != expected;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

TEST_F(TokenizerTest, RefusesBadFilesAndForeignLayouts)
{
    auto missing = Tokenizer::load((s_dir / "absent.model").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ldm::ErrorCode::InvalidFile);

    const fs::path garbage = s_dir / "garbage.model";
    std::ofstream(garbage) << "not a sentencepiece model";
    EXPECT_FALSE(Tokenizer::load(garbage.string()).ok());

    ldm::TokenizerTrainOptions options;
    options.extraFlags = {{"pad_id", "-1"}, {"unk_id", "0"}, {"bos_id", "1"}, {"eos_id", "2"}};
    const std::string prefix = (s_dir / "foreign").string();
    auto trained =
        Tokenizer::train({(s_dir / "corpus with space.txt").string()}, prefix, 48, options);
    ASSERT_TRUE(trained.ok()) << trained.error().message;
    auto foreign = Tokenizer::load(prefix + ".model");
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.error().code, ldm::ErrorCode::InvalidFile);
    EXPECT_NE(foreign.error().message.find("pad 0, unk 1, bos 2, eos 3"), std::string::npos);

    EXPECT_FALSE(Tokenizer::train({}, prefix, 64).ok());
    EXPECT_FALSE(Tokenizer::train({(s_dir / "nope.txt").string()}, prefix, 64).ok());
}
