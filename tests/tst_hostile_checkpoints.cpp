// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile checkpoints and the files they lead to: special files where a checkpoint, config or
// tokenizer is expected; metadata whose sizes contradict the weights; names in metadata that
// lead out of the checkpoint's folder; weights that are NaN. Each must give a clear error
// promptly and before any network is built. Every offending file is made here, in a temporary
// folder (FIFOs with mkfifo; no system device is touched).
#include "checkpoint/latent_diffusion.h"
#include "checkpoint/load_plan.h"
#include "checkpoint/yaml_json.h"
#include "core/ckpt_file.h"
#include "core/regular_file.h"
#include "core/safetensors.h"
#include "data/landscape_generator.h"
#include "ldm/engine.h"
#include "io/image_files.h"
#include "prompt/bert_tokenizer.h"
#include "prompt/clip_tokenizer.h"
#include "support/tiny_models.h"
#include "tokenizer/tokenizer.h"
#include "train/image_metrics.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm {
namespace {

namespace fs = std::filesystem;

// A call that blocks on the FIFO fails the test; the FIFO is then opened for writing (and
// closed) so that the blocked reader sees end of file and the thread can finish.
template <typename Call> void expectPromptRefusal(const std::string& fifo, Call call)
{
    auto done = std::async(std::launch::async, call);
    if (done.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
        ADD_FAILURE() << "blocked on the FIFO " << fifo;
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
    }
    const Error error = done.get();
    EXPECT_NE(error.message.find("is not a regular file (a FIFO)"), std::string::npos)
        << error.message;
}

template <typename T> Error errorOf(const Result<T>& result)
{
    return result.ok() ? Error{ErrorCode::Internal, "no error"} : result.error();
}

class HostileCheckpoints : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("hostile_ckpt");
        s_text = testing::writeTinyModel(s_dir, "text");
    }
    static void TearDownTestSuite() { fs::remove_all(s_dir); }

    void SetUp() override
    {
        m_dir = fs::path(s_dir) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::create_directories(m_dir);
    }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }
    std::string fifo(const std::string& name) const
    {
        const std::string file = path(name);
        EXPECT_EQ(::mkfifo(file.c_str(), 0600), 0) << file;
        return file;
    }

    /// The tiny text model rewritten at `name` in this test's folder, after `change` edits a
    /// writable copy of its tensors and metadata.
    template <typename Change> std::string rewrittenModel(const std::string& name, Change change)
    {
        auto file = io::openCheckpointTensors(s_text);
        EXPECT_TRUE(file.ok());
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& [key, tensor] : file->tensors)
            tensors[key] = tensor.clone();
        std::map<std::string, std::string> metadata = file->metadata;
        change(tensors, metadata);
        std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
        EXPECT_TRUE(io::writeSafetensors(path(name), list, metadata).ok());
        return path(name);
    }

    static std::string s_dir;
    static std::string s_text;
    fs::path m_dir;
};

std::string HostileCheckpoints::s_dir;
std::string HostileCheckpoints::s_text;

TEST_F(HostileCheckpoints, EveryReaderRefusesAFifoWithoutBlocking)
{
    const std::string safetensors = fifo("x.safetensors");
    expectPromptRefusal(safetensors,
                        [&] { return errorOf(io::openCheckpointTensors(safetensors)); });
    expectPromptRefusal(safetensors,
                        [&] { return errorOf(io::SafetensorsFile::open(safetensors)); });
    expectPromptRefusal(safetensors, [&] { return errorOf(LatentDiffusion::load(safetensors)); });
    const std::string ckpt = fifo("x.ckpt");
    expectPromptRefusal(ckpt, [&] { return errorOf(io::openCheckpointTensors(ckpt)); });
    const std::string yaml = fifo("config.yaml");
    expectPromptRefusal(yaml, [&] { return errorOf(readYamlAsJson(yaml)); });
    expectPromptRefusal(yaml, [&] {
        LoadOptions options;
        options.configYaml = yaml;
        return errorOf(LatentDiffusion::load(s_text, options));
    });
    const std::string model = fifo("tokenizer.model");
    expectPromptRefusal(model, [&] { return errorOf(Tokenizer::load(model)); });
    const std::string vocab = fifo("vocab.txt");
    expectPromptRefusal(vocab, [&] { return errorOf(prompt::BertTokenizer::load(vocab)); });
    const std::string merges = fifo("bpe.txt.gz");
    expectPromptRefusal(merges, [&] { return errorOf(prompt::ClipTokenizer::load(merges)); });
    const std::string palette = fifo("palette.json");
    expectPromptRefusal(palette, [&] { return errorOf(data::loadLandscapePalette(palette)); });
}

TEST_F(HostileCheckpoints, NamesFromMetadataStayInTheCheckpointsFolder)
{
    fs::create_directories(m_dir / "model");
    std::ofstream(path("model/tok.model")) << "inside";
    std::ofstream(path("outside.model")) << "outside";
    fs::create_symlink(path("outside.model"), path("model/escape.model"));
    fs::create_symlink("tok.model", path("model/alias.model"));
    ASSERT_EQ(::mkfifo(path("model/pipe.model").c_str(), 0600), 0);
    const std::string folder = path("model");

    const auto inside = files::confinedFile(folder, "tok.model", "tokenizer");
    ASSERT_TRUE(inside.ok()) << inside.error().message;
    EXPECT_EQ(fs::path(*inside), fs::canonical(path("model/tok.model")));
    EXPECT_TRUE(files::confinedFile(folder, "alias.model", "tokenizer").ok());
    const std::pair<const char*, const char*> refused[] = {
        {"/etc/hostname", "absolute path"},
        {"../outside.model", "parent folder"},
        {"sub/../../outside.model", "parent folder"},
        {"escape.model", "leads out of the folder"},
        {"pipe.model", "not a regular file (a FIFO)"},
        {"", "empty"},
        {"absent.model", "No such file"}};
    for (const auto& [name, why] : refused) {
        const auto result = files::confinedFile(folder, name, "tokenizer");
        ASSERT_FALSE(result.ok()) << name;
        EXPECT_EQ(result.error().code, ErrorCode::InvalidFile) << name;
        EXPECT_NE(result.error().message.find(why), std::string::npos) << result.error().message;
    }
}

TEST_F(HostileCheckpoints, EngineRefusesATokenizerOutsideTheCheckpointsFolder)
{
    fs::copy_file(fs::path(s_dir) / "tiny.model", m_dir / "tiny.model");
    fs::create_directories(m_dir / "models");
    EngineOptions options;
    options.device = "cpu";
    options.threads = 1;
    auto engine = Engine::create(options);
    ASSERT_TRUE(engine.ok());
    for (const char* name : {"../tiny.model", "/dev/zero"}) {
        const std::string file = rewrittenModel(
            "models/escape.safetensors", [&](auto&, std::map<std::string, std::string>& metadata) {
                metadata["tokenizer"] = name;
            });
        const auto loaded = (*engine)->loadModel(file);
        ASSERT_FALSE(loaded.ok()) << name;
        EXPECT_NE(loaded.error().message.find("metadata 'tokenizer' '" + std::string(name) +
                                              "' is refused"),
                  std::string::npos)
            << loaded.error().message;
    }
}

TEST_F(HostileCheckpoints, MetadataSizesThatContradictTheWeightsAreRefusedBeforeBuilding)
{
    const std::string wide =
        rewrittenModel("wide.safetensors", [](auto&, std::map<std::string, std::string>& metadata) {
            auto unet = nlohmann::json::parse(metadata.at("unet"));
            unet["model_channels"] = 4096;
            metadata["unet"] = unet.dump();
        });
    const auto file = io::openCheckpointTensors(wide);
    ASSERT_TRUE(file.ok());
    const auto start = std::chrono::steady_clock::now();
    const auto plan = planLoad(file->tensors, file->metadata, {}, wide);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(plan.error().message.find("UNet model_channels is 4096 in the config, but the "
                                        "weights' shapes give "),
              std::string::npos)
        << plan.error().message;
    EXPECT_NE(plan.error().message.find("the file's metadata"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_FALSE(LatentDiffusion::load(wide).ok());

    // Blocks per level and the text encoder's depth decide a network's size as much.
    const std::string deep =
        rewrittenModel("deep.safetensors", [](auto&, std::map<std::string, std::string>& metadata) {
            auto unet = nlohmann::json::parse(metadata.at("unet"));
            unet["num_res_blocks"] = 1000;
            metadata["unet"] = unet.dump();
        });
    const auto deepError = LatentDiffusion::load(deep);
    ASSERT_FALSE(deepError.ok());
    EXPECT_NE(deepError.error().message.find("num_res_blocks is 1000"), std::string::npos)
        << deepError.error().message;

    // A config that describes a UNet over a file without one is refused, not built to fail.
    const std::string hollow = rewrittenModel(
        "hollow.safetensors", [](std::map<std::string, torch::Tensor>& tensors, auto&) {
            for (auto it = tensors.begin(); it != tensors.end();)
                it = it->first.rfind("model.diffusion_model.", 0) == 0 ? tensors.erase(it)
                                                                       : std::next(it);
        });
    const auto hollowError = LatentDiffusion::load(hollow);
    ASSERT_FALSE(hollowError.ok());
    EXPECT_NE(hollowError.error().message.find("describes a UNet"), std::string::npos)
        << hollowError.error().message;
    EXPECT_NE(hollowError.error().message.find("holds no weights for it"), std::string::npos);

    EXPECT_TRUE(LatentDiffusion::load(s_text).ok()); // the untouched file still loads
}

TEST_F(HostileCheckpoints, NonFiniteWeightsAreAnErrorNamingTheTensor)
{
    std::string damaged;
    const std::string file = rewrittenModel(
        "nan.safetensors", [&](std::map<std::string, torch::Tensor>& tensors, auto&) {
            for (auto& [name, tensor] : tensors)
                if (name.rfind("model.diffusion_model.out.", 0) == 0 && tensor.dim() == 4) {
                    tensor.view(-1)[3] = std::numeric_limits<float>::quiet_NaN();
                    damaged = name;
                    break;
                }
        });
    ASSERT_FALSE(damaged.empty());
    const auto loaded = LatentDiffusion::load(file);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(loaded.error().message.find("the weight " + damaged + " holds NaN or infinite"),
              std::string::npos)
        << loaded.error().message;

    const std::string infinite = rewrittenModel(
        "inf.safetensors", [&](std::map<std::string, torch::Tensor>& tensors, auto&) {
            tensors.at("first_stage_model.decoder.conv_out.bias")[0] =
                std::numeric_limits<float>::infinity();
        });
    const auto inf = LatentDiffusion::load(infinite);
    ASSERT_FALSE(inf.ok());
    EXPECT_NE(inf.error().message.find("first_stage_model.decoder.conv_out.bias"),
              std::string::npos)
        << inf.error().message;
}

// Sample grids and loss plots go through the atomic writer of `generate --out`.
TEST_F(HostileCheckpoints, TrainerPicturesAreWrittenAtomically)
{
    cv::Mat grid(12, 20, CV_8UC3);
    cv::randu(grid, cv::Scalar::all(0), cv::Scalar::all(255));
    ASSERT_TRUE(train::writeRgbPng(path("samples.png"), grid).ok());
    const auto read = readImage(path("samples.png"));
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->pixels, std::vector<uint8_t>(grid.data, grid.data + grid.total() * 3));

    const std::string pipe = fifo("loss.png");
    const auto refused = train::writeRgbPng(pipe, grid);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("refusing to write"), std::string::npos)
        << refused.error().message;
    EXPECT_TRUE(fs::is_fifo(pipe));
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(m_dir))
        names.push_back(item.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"loss.png", "samples.png"})); // no temporaries
}

} // namespace
} // namespace ldm
