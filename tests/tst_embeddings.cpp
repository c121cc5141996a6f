// SPDX-License-Identifier: GPL-3.0-or-later
// Textual-inversion embeddings as AUTOMATIC1111 uses them: the files of every layout it reads
// (tests/data/embeddings/folder, made by make_embedding_reference.py), names matched on tokens
// in the chunker, and the conditioning of prompts that name them on the tiny SD-1.x model
// against A1111's expansion computed in Python; wrong files are clear errors; the CLI records
// "TI hashes" and an embedding changes the picture. Tests that need ../shared skip loudly
// without it (LDM_REQUIRE_FIXTURES=1 fails them).
#include "core/ckpt_file.h"
#include "core/safetensors.h"
#include "io/image_files.h"
#include "ldm/recipe.h"
#include "pipeline/embedding_library.h"
#include "pipeline/engine_state.h"
#include "pipeline/prompt_encoding.h"
#include "prompt/tokenizer_paths.h"
#include "support/cli_run.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace ldm {
namespace {

namespace fs = std::filesystem;

fs::path dataDir()
{
    return testing::sourceDir() / "tests" / "data" / "embeddings";
}

std::string folder()
{
    return (dataDir() / "folder").string();
}

const prompt::ClipTokenizer& clipTokenizer()
{
    static const prompt::ClipTokenizer tokenizer = [] {
        auto file = prompt::findTokenizerFile(prompt::ClipVocabFileName);
        EXPECT_TRUE(file.ok());
        auto loaded = prompt::ClipTokenizer::load(file.ok() ? *file : std::string());
        EXPECT_TRUE(loaded.ok());
        return std::move(loaded.value());
    }();
    return tokenizer;
}

fs::path tinyModel()
{
    return testing::fixtureFolder("sd1") / "sd1_tiny.safetensors";
}

bool fixtureMissing()
{
    if (fs::exists(tinyModel()))
        return false;
    const char* required = std::getenv("LDM_REQUIRE_FIXTURES");
    if (required && std::string(required) == "1")
        ADD_FAILURE() << "fixture missing: " << tinyModel();
    return true;
}

TEST(Embeddings, ReadsEveryLayoutA1111Reads)
{
    const std::pair<const char*, int64_t> files[] = {
        {"tinyneg.pt", 3},                        // A1111's Embedding.save
        {"oldstyle.pt", 2},                       // the original code's ParameterDict
        {"styles/tiny-style.safetensors", 4},     // emb_params, float16
        {"concept.bin", 1},                       // diffusers: one 1-D vector
    };
    for (const auto& [name, count] : files) {
        auto vectors = readEmbeddingVectors(folder() + "/" + name);
        ASSERT_TRUE(vectors.ok()) << name << ": " << vectors.error().message;
        EXPECT_EQ(vectors->sizes(), (std::vector<int64_t>{count, 128})) << name;
        EXPECT_EQ(vectors->scalar_type(), torch::kFloat32);
    }
    auto sdxl = readEmbeddingVectors(folder() + "/sdxlpair.safetensors");
    ASSERT_FALSE(sdxl.ok());
    EXPECT_NE(sdxl.error().message.find("SDXL"), std::string::npos) << sdxl.error().message;
}

TEST(Embeddings, FolderKeepsUnusableFilesWithTheirReason)
{
    auto library = EmbeddingLibrary::load(folder(), clipTokenizer(), 128);
    ASSERT_TRUE(library.ok()) << library.error().message;
    std::map<std::string, std::string> problems;
    for (const auto& embedding : library->embeddings())
        problems[embedding.name] = embedding.problem;
    ASSERT_EQ(problems.size(), 6u);
    EXPECT_EQ(problems["tinyneg"], "");
    EXPECT_EQ(problems["tiny-style"], "");
    EXPECT_NE(problems["sd2wide"].find("1024 wide"), std::string::npos) << problems["sd2wide"];
    EXPECT_NE(problems["sd2wide"].find("takes 128"), std::string::npos);
    EXPECT_NE(problems["sdxlpair"].find("SDXL"), std::string::npos);

    EXPECT_FALSE(EmbeddingLibrary::load(folder() + "/missing", clipTokenizer(), 128).ok());
}

TEST(Embeddings, NamesMatchOnTokensLongestFirst)
{
    const auto& tokenizer = clipTokenizer();
    prompt::EmbeddingNames names;
    names.add(*tokenizer.encode("tiny"), 0, 2);
    names.add(*tokenizer.encode("tiny-style"), 1, 4);
    prompt::ChunkOptions options;
    options.embeddings = &names;
    // "Tiny-Style" lower-cases to the 3-token name; "(tiny:1.2)" matches the short one weighted.
    auto chunks = prompt::chunkPrompt(tokenizer, "Tiny-Style, (tiny:1.2) tinyish", options);
    ASSERT_TRUE(chunks.ok());
    const auto& chunk = chunks->chunks.at(0);
    ASSERT_EQ(chunk.fixes.size(), 2u);
    EXPECT_EQ(chunk.fixes[0].embedding, 1);
    EXPECT_EQ(chunk.fixes[0].offset, 0);
    EXPECT_EQ(chunk.fixes[1].embedding, 0);
    EXPECT_EQ(chunk.fixes[1].offset, 5); // 4 vectors, then the comma
    for (int i = 1; i <= 4; ++i)
        EXPECT_EQ(chunk.ids[size_t(i)], 0);
    EXPECT_DOUBLE_EQ(chunk.weights[6], 1.2);
    EXPECT_DOUBLE_EQ(chunk.weights[7], 1.2);
    // "tinyish" starts with another token ("tiny" without the word end): no match.
    EXPECT_EQ(chunks->tokenCount, 4 + 1 + 2 + int(tokenizer.encode("tinyish")->size()));

    // Without the names the same prompt has no fixes.
    auto plain = prompt::chunkPrompt(tokenizer, "Tiny-Style, (tiny:1.2) tinyish");
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->chunks.at(0).fixes.empty());
}

TEST(Embeddings, VectorsNeverSplitAcrossChunks)
{
    const auto& tokenizer = clipTokenizer();
    prompt::EmbeddingNames names;
    names.add(*tokenizer.encode("tiny"), 0, 5);
    prompt::ChunkOptions options;
    options.embeddings = &names;
    std::string text;
    for (int i = 0; i < 72; ++i)
        text += "red ";
    auto chunks = prompt::chunkPrompt(tokenizer, text + "tiny", options);
    ASSERT_TRUE(chunks.ok());
    ASSERT_EQ(chunks->chunks.size(), 2u);
    EXPECT_TRUE(chunks->chunks[0].fixes.empty());
    ASSERT_EQ(chunks->chunks[1].fixes.size(), 1u);
    EXPECT_EQ(chunks->chunks[1].fixes[0].offset, 0);
    EXPECT_EQ(chunks->tokenCount, 75 + 5);
}

class EmbeddingConditioning : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        if (!fs::exists(tinyModel()))
            return;
        auto diffusion = LatentDiffusion::load(tinyModel().string());
        ASSERT_TRUE(diffusion.ok()) << diffusion.error().message;
        s_model = new LoadedModel{std::move(diffusion.value()), {}, std::nullopt, clipTokenizer(),
                                  std::nullopt, {}, std::nullopt};
        auto reference = io::openCheckpointTensors(
            (dataDir() / "embedding_conditioning.safetensors").string());
        ASSERT_TRUE(reference.ok()) << reference.error().message;
        s_reference = new io::LoadedCheckpoint(std::move(reference.value()));
    }
    static void TearDownTestSuite()
    {
        delete s_model;
        delete s_reference;
    }
    void SetUp() override
    {
        if (fixtureMissing())
            GTEST_SKIP() << "SHARED FIXTURES NOT FOUND (" << tinyModel()
                         << "): embedding conditioning checks skipped";
    }

    static Result<EncodedPrompts> encode(const std::string& prompt, const std::string& negative,
                                         const std::string& embeddings = folder())
    {
        c10::InferenceMode guard;
        Recipe recipe;
        recipe.prompt = prompt;
        recipe.negativePrompt = negative;
        return encodePrompts(*s_model, recipe, torch::kCPU, embeddings);
    }

    static LoadedModel* s_model;
    static io::LoadedCheckpoint* s_reference;
};

LoadedModel* EmbeddingConditioning::s_model = nullptr;
io::LoadedCheckpoint* EmbeddingConditioning::s_reference = nullptr;

TEST_F(EmbeddingConditioning, MatchesA1111sExpansion)
{
    const auto texts = nlohmann::json::parse(s_reference->metadata.at("texts"));
    const int64_t kept = std::stoll(s_reference->metadata.at("kept_channels"));
    ASSERT_GE(texts.size(), 8u);
    auto library = EmbeddingLibrary::load(folder(), clipTokenizer(), 128);
    ASSERT_TRUE(library.ok());
    prompt::ChunkOptions options;
    options.embeddings = &library->names();
    for (size_t i = 0; i < texts.size(); ++i) {
        const std::string text = texts[i];
        SCOPED_TRACE("prompt " + std::to_string(i) + ": " + text.substr(0, 60));
        // Token ids with their placeholders, chunk by chunk, as A1111's tokenize_line.
        auto chunks = prompt::chunkPrompt(clipTokenizer(), text, options);
        ASSERT_TRUE(chunks.ok());
        const torch::Tensor ids = s_reference->tensors.at("ids_" + std::to_string(i));
        ASSERT_EQ(int64_t(chunks->chunks.size()), ids.size(0));
        for (size_t c = 0; c < chunks->chunks.size(); ++c)
            for (size_t t = 0; t < 77; ++t)
                ASSERT_EQ(chunks->chunks[c].ids[t], ids[int64_t(c)][int64_t(t)].item<int32_t>())
                    << "chunk " << c << " token " << t;

        auto encoded = encode(text, "");
        ASSERT_TRUE(encoded.ok()) << encoded.error().message;
        const torch::Tensor expected =
            s_reference->tensors.at("context_" + std::to_string(i)).to(torch::kFloat32);
        const torch::Tensor actual = encoded->cond[0].slice(1, 0, kept);
        ASSERT_EQ(actual.sizes(), expected.sizes());
        const double bound = std::max(1e-4, 1e-5 * expected.abs().max().item<double>());
        const double error = (actual - expected).abs().max().item<double>();
        EXPECT_LT(error, bound);
        std::printf("prompt %zu: %zu chunk(s), max error %.3g (bound %.3g)\n", i,
                    chunks->chunks.size(), error, bound);
        EXPECT_EQ(encoded->tiHashes, s_reference->metadata.at("ti_hashes_" + std::to_string(i)));
    }
}

TEST_F(EmbeddingConditioning, TiHashesListThePromptThenTheNegative)
{
    auto encoded = encode("(tinyneg:1.3) and tiny-style portrait", "concept, oldstyle blurry");
    ASSERT_TRUE(encoded.ok()) << encoded.error().message;
    EXPECT_EQ(encoded->tiHashes,
              s_reference->metadata.at("ti_hashes_1") + ", " + s_reference->metadata.at("ti_hashes_2"));
    EXPECT_EQ(encoded->tiHashes.substr(0, 9), "tinyneg: ");
    // Without the folder the names are plain words and nothing is listed.
    auto plain = encode("(tinyneg:1.3) and tiny-style portrait", "", "");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->tiHashes, "");
    EXPECT_GT((plain->cond - encoded->cond).abs().max().item<double>(), 1e-2);
}

TEST_F(EmbeddingConditioning, UnusableEmbeddingsNamedInAPromptAreErrors)
{
    auto wide = encode("a sd2wide cat", "");
    ASSERT_FALSE(wide.ok());
    EXPECT_EQ(wide.error().code, ErrorCode::InvalidRequest);
    EXPECT_NE(wide.error().message.find("sd2wide"), std::string::npos) << wide.error().message;
    EXPECT_NE(wide.error().message.find("1024"), std::string::npos) << wide.error().message;
    auto sdxl = encode("a cat", "sdxlpair");
    ASSERT_FALSE(sdxl.ok());
    EXPECT_NE(sdxl.error().message.find("SDXL"), std::string::npos) << sdxl.error().message;
    auto missing = encode("a cat", "", folder() + "/no-such-folder");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
}

TEST_F(EmbeddingConditioning, CliRecordsTheEmbeddingAndItChangesThePicture)
{
    const fs::path dir = fs::temp_directory_path() / ("ldm-embeddings-" + std::to_string(getpid()));
    fs::create_directories(dir);
    const auto run = [&](const std::string& out, const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"txt2img", "--model", tinyModel().string(), "--prompt",
                                         "a photo of tinyneg", "--seed", "7", "--steps", "2",
                                         "--width", "64", "--height", "64", "--threads", "2",
                                         "--quiet", "--out", (dir / out).string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return testing::runCliBinary(args);
    };
    const auto with = run("with.png", {"--embeddings-dir", folder()});
    ASSERT_EQ(with.exitCode, 0) << with.output;
    const auto without = run("without.png", {});
    ASSERT_EQ(without.exitCode, 0) << without.output;
    auto a = readImage((dir / "with.png").string());
    auto b = readImage((dir / "without.png").string());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(a->pixels, b->pixels);
    auto text = readPngText((dir / "with.png").string());
    ASSERT_TRUE(text.ok());
    const std::string parameters = (*text)["parameters"];
    const std::string expected = "TI hashes: \"" + s_reference->metadata.at("ti_hashes_0") + "\"";
    EXPECT_NE(parameters.find(expected), std::string::npos) << parameters;
    auto recipe = recipeFromA1111Parameters(parameters);
    ASSERT_TRUE(recipe.ok());
    EXPECT_EQ(recipe->tiHashes, s_reference->metadata.at("ti_hashes_0"));
    fs::remove_all(dir);
}

// SD-2.x's OpenCLIP encoder takes embeddings through the same path: an embedding whose one
// vector is the token embedding of "castle" conditions exactly as the word does, also where
// OpenCLIP pads with id 0 after the end token.
TEST(Embeddings, OpenClipPromptsTakeEmbeddingsToo)
{
    const fs::path model = testing::fixtureFolder("sd2") / "sd2_tiny.safetensors";
    if (!fs::exists(model)) {
        const char* required = std::getenv("LDM_REQUIRE_FIXTURES");
        if (required && std::string(required) == "1")
            FAIL() << "fixture missing: " << model;
        GTEST_SKIP() << "SHARED FIXTURES NOT FOUND (" << model << "): OpenCLIP check skipped";
    }
    c10::InferenceMode guard;
    auto diffusion = LatentDiffusion::load(model.string());
    ASSERT_TRUE(diffusion.ok()) << diffusion.error().message;
    ASSERT_TRUE(diffusion->config().openClipText.has_value());
    LoadedModel loaded{std::move(diffusion.value()), {}, std::nullopt,
                       clipTokenizer().withFlavor(prompt::ClipFlavor::OpenClip), std::nullopt,
                       {}, std::nullopt};
    const auto castle = *loaded.clipTokenizer->encode("castle");
    ASSERT_EQ(castle.size(), 1u);
    const torch::Tensor vector =
        loaded.diffusion.tokenEmbeddings(torch::tensor({int64_t(castle[0])}).view({1, 1}))[0];

    const fs::path dir = fs::temp_directory_path() / ("ldm-openclip-ti-" + std::to_string(getpid()));
    fs::create_directories(dir);
    ASSERT_TRUE(io::writeSafetensors((dir / "fortress.safetensors").string(),
                                     {{"emb_params", vector.clone()}})
                    .ok());
    Recipe word, named;
    word.prompt = "a castle at night";
    named.prompt = "a fortress at night";
    auto expected = encodePrompts(loaded, word, torch::kCPU);
    auto actual = encodePrompts(loaded, named, torch::kCPU, dir.string());
    auto plain = encodePrompts(loaded, named, torch::kCPU);
    fs::remove_all(dir);
    ASSERT_TRUE(expected.ok() && actual.ok() && plain.ok());
    EXPECT_LT((actual->cond - expected->cond).abs().max().item<double>(), 1e-5);
    EXPECT_GT((plain->cond - expected->cond).abs().max().item<double>(), 1e-3);
    EXPECT_EQ(actual->tiHashes.substr(0, 10), "fortress: ");
}

} // namespace
} // namespace ldm
