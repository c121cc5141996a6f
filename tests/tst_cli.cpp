// SPDX-License-Identifier: GPL-3.0-or-later
// The headless CLI as a person runs it: the real `latent-canvas-cli` binary on tiny
// random-weight checkpoints — every sampler writes a PNG with its recipe, a repeated command
// (and 1 vs 2 threads) gives identical pixels, bf16 stays close to fp32, and bad input is a
// clear message with a non-zero exit.
#include "core/safetensors.h"
#include "ldm/engine.h"
#include "pipeline/image_files.h"
#include "support/ckpt_builder.h"
#include "support/test_paths.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/serialize.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ldm {
namespace {

struct CliRun {
    int exitCode = -1;
    std::string output; ///< stdout and stderr together
};

std::string quoted(const std::string& arg)
{
    std::string out = "'";
    for (char c : arg)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

CliRun runCli(const std::vector<std::string>& args)
{
    std::string command = quoted(LDM_CLI_PATH);
    for (const std::string& arg : args)
        command += " " + quoted(arg);
    command += " 2>&1";
    CliRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        return run;
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        run.output.append(buffer, n);
    const int status = pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

class CliTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("cli");
        for (const char* kind : {"text", "map", "superres", "sd1_inpaint"})
            s_models[kind] = testing::writeTinyModel(s_dir, kind);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    static std::string path(const std::string& name) { return s_dir + "/" + name; }

    static CliRun txt2img(const std::string& out, std::vector<std::string> extra = {})
    {
        std::vector<std::string> args = {"txt2img", "--model", s_models["text"], "--prompt",
                                         "a lake below snowy mountains", "--steps", "3",
                                         "--width", "32", "--height", "32", "--seed", "7",
                                         "--scale", "3", "--quiet", "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        return runCli(args);
    }

    static nlohmann::json compareJson(const std::string& a, const std::string& b)
    {
        const CliRun run = runCli({"compare", "--json", a, b});
        EXPECT_EQ(run.exitCode, 0) << run.output;
        return nlohmann::json::parse(run.output, nullptr, false);
    }

    static inline std::string s_dir;
    static inline std::map<std::string, std::string> s_models;
};

TEST_F(CliTest, EverySamplerWritesAPngCarryingItsRecipe)
{
    for (const char* sampler : {"ddim", "plms", "ddpm", "dpmpp2m"}) {
        const std::string out = path(std::string("sampler-") + sampler + ".png");
        const CliRun run = txt2img(out, {"--sampler", sampler});
        ASSERT_EQ(run.exitCode, 0) << sampler << ": " << run.output;
        auto image = readImage(out);
        ASSERT_TRUE(image.ok()) << image.error().message;
        EXPECT_EQ(image->width, 32);
        auto text = readPngText(out);
        ASSERT_TRUE(text.ok());
        const std::string parameters = (*text)["parameters"];
        EXPECT_NE(parameters.find("a lake below snowy mountains"), std::string::npos);
        EXPECT_NE(parameters.find("Seed: 7"), std::string::npos) << parameters;
        EXPECT_NE(parameters.find("Steps: 3"), std::string::npos) << parameters;
    }
}

TEST_F(CliTest, RepeatedCommandAndThreadCountGiveIdenticalPixels)
{
    ASSERT_EQ(txt2img(path("a.png"), {"--threads", "1"}).exitCode, 0);
    ASSERT_EQ(txt2img(path("b.png"), {"--threads", "2"}).exitCode, 0);
    ASSERT_EQ(txt2img(path("c.png"), {"--threads", "2"}).exitCode, 0);
    EXPECT_EQ(runCli({"compare", "--expect-identical", path("a.png"), path("b.png")}).exitCode, 0);
    EXPECT_EQ(runCli({"compare", "--expect-identical", path("b.png"), path("c.png")}).exitCode, 0);
    ASSERT_EQ(txt2img(path("d.png"), {"--seed", "8"}).exitCode, 0);
    const CliRun differ = runCli({"compare", "--expect-identical", path("c.png"), path("d.png")});
    EXPECT_EQ(differ.exitCode, 1) << "another seed must change the image: " << differ.output;
}

TEST_F(CliTest, Bf16StaysCloseToFp32)
{
    ASSERT_EQ(txt2img(path("fp32.png")).exitCode, 0);
    const CliRun bf16 = txt2img(path("bf16.png"), {"--precision", "bf16"});
    ASSERT_EQ(bf16.exitCode, 0) << bf16.output;
    ASSERT_EQ(txt2img(path("seed8.png"), {"--seed", "8"}).exitCode, 0);
    const nlohmann::json precision = compareJson(path("fp32.png"), path("bf16.png"));
    const nlohmann::json seed = compareJson(path("fp32.png"), path("seed8.png"));
    std::printf("PSNR fp32 vs bf16 %.2f dB, fp32 seed 7 vs seed 8 %.2f dB\n",
                precision["psnr_rgb"].get<double>(), seed["psnr_rgb"].get<double>());
    EXPECT_FALSE(precision["identical"].get<bool>()) << "bf16 must actually run in bf16";
    EXPECT_GT(precision["psnr_rgb"].get<double>(), 30.0);
    EXPECT_GT(precision["psnr_rgb"].get<double>(), seed["psnr_rgb"].get<double>() + 15.0);
}

TEST_F(CliTest, PaintAndUpscaleWriteImagesOfTheRightSize)
{
    LabelMap map;
    map.width = 64;
    map.height = 32;
    map.ids.assign(64 * 32, 0);
    std::fill(map.ids.begin() + 64 * 16, map.ids.end(), uint8_t(5));
    std::vector<ClassInfo> classes;
    for (int id = 0; id < 10; ++id)
        classes.push_back({id, "class" + std::to_string(id), "#0000" + std::to_string(10 + id)});
    ASSERT_TRUE(writeLabelMap(path("map.png"), map, classes).ok());
    const CliRun paint = runCli({"paint", "--model", s_models["map"], "--map", path("map.png"),
                                 "--steps", "2", "--quiet", "--out", path("paint.png")});
    ASSERT_EQ(paint.exitCode, 0) << paint.output;
    auto painted = readImage(path("paint.png"));
    ASSERT_TRUE(painted.ok());
    EXPECT_EQ(painted->width, 64);
    EXPECT_EQ(painted->height, 32);

    const CliRun upscale = runCli({"upscale", "--model", s_models["superres"], "--in",
                                   path("paint.png"), "--steps", "2", "--quiet", "--out",
                                   path("up.png")});
    ASSERT_EQ(upscale.exitCode, 0) << upscale.output;
    auto upscaled = readImage(path("up.png"));
    ASSERT_TRUE(upscaled.ok());
    EXPECT_EQ(upscaled->width, 256);
    EXPECT_EQ(upscaled->height, 128);
}

/// The SD x4 upscaler layout of the shared fixtures (x4/x4_upscaler.safetensors: float16, no
/// config); empty after a loud skip (a clone without ../shared) or a failure (CI).
std::string x4UpscalerFixture()
{
    const std::filesystem::path file =
        testing::fixtureFolder("x4") / "x4_upscaler.safetensors";
    if (std::filesystem::is_regular_file(file))
        return file.string();
    const std::string why = "REFERENCE FIXTURE NOT FOUND: " + file.string();
    if (testing::fixturesRequired())
        ADD_FAILURE() << why << " (LDM_REQUIRE_FIXTURES=1)";
    else
        std::fprintf(stderr, "\n*** %s: the x4 upscaler CLI test is SKIPPED ***\n\n", why.c_str());
    return {};
}

RgbImage gradientImage(int width, int height)
{
    RgbImage image;
    image.width = width;
    image.height = height;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixels.push_back(uint8_t((x * 9 + y * 5 + c * 70) % 256));
    return image;
}

TEST_F(CliTest, SdX4UpscalerUpscalesWithPromptAndNoiseLevelInTheRecipe)
{
    const std::string model = x4UpscalerFixture();
    if (model.empty())
        GTEST_SKIP() << "no x4 upscaler fixture";
    const CliRun inspect = runCli({"inspect", model});
    ASSERT_EQ(inspect.exitCode, 0) << inspect.output;
    for (const char* fact : {"Stable Diffusion x4 upscaler", "hybrid-adm", "predicts v",
                             "scale_factor 0.08333", "noise levels 0..350"})
        EXPECT_NE(inspect.output.find(fact), std::string::npos) << fact << "\n" << inspect.output;

    // Released as x4-upscaler-ema.safetensors beside the repository's x4-upscaling.yaml: that
    // config is found and used (here the fixture's own model.params, which YAML reads as JSON).
    auto reference = io::SafetensorsFile::open(
        (std::filesystem::path(model).parent_path() / "x4_ddim_cfg_v.safetensors").string());
    ASSERT_TRUE(reference.ok()) << reference.error().message;
    const auto params = nlohmann::json::parse(reference->metadata().at("model_config"));
    const nlohmann::json yaml = {
        {"model",
         {{"target", "ldm.models.diffusion.ddpm.LatentUpscaleDiffusion"}, {"params", params}}}};
    std::filesystem::create_directories(path("x4-release"));
    std::filesystem::copy_file(model, path("x4-release/x4-upscaler-ema.safetensors"),
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(path("x4-release/x4-upscaling.yaml")) << yaml.dump(2);
    const CliRun withYaml = runCli({"inspect", path("x4-release/x4-upscaler-ema.safetensors")});
    ASSERT_EQ(withYaml.exitCode, 0) << withYaml.output;
    for (const char* fact : {"x4-upscaling.yaml", "Stable Diffusion x4 upscaler", "predicts v",
                             "noise levels 0..350", "usable:        yes"})
        EXPECT_NE(withYaml.output.find(fact), std::string::npos) << fact << "\n" << withYaml.output;

    ASSERT_TRUE(writePng(path("x4-in.png"), gradientImage(24, 16)).ok());
    const std::vector<std::string> args = {
        "upscale", "--model", model, "--in", path("x4-in.png"), "--prompt",
        "a sharp photograph of mountains", "--negative-prompt", "blurry", "--noise-level", "30",
        "--guidance", "7", "--steps", "2", "--seed", "11", "--quiet"};
    std::vector<std::string> first = args;
    first.insert(first.end(), {"--out", path("x4-up.png")});
    const CliRun run = runCli(first);
    ASSERT_EQ(run.exitCode, 0) << run.output;
    auto image = readImage(path("x4-up.png"));
    ASSERT_TRUE(image.ok()) << image.error().message;
    EXPECT_EQ(image->width, 96);
    EXPECT_EQ(image->height, 64);
    auto text = readPngText(path("x4-up.png"));
    ASSERT_TRUE(text.ok());
    auto recipe = recipeFromJsonText(text->at("latent-canvas"));
    ASSERT_TRUE(recipe.ok()) << recipe.error().message;
    EXPECT_EQ(recipe->task, "upscale");
    EXPECT_EQ(recipe->noiseLevel, 30);
    EXPECT_EQ(recipe->prompt, "a sharp photograph of mountains");
    EXPECT_EQ(recipe->negativePrompt, "blurry");
    EXPECT_EQ(recipe->guidanceScale, 7.0);
    EXPECT_EQ(recipe->prediction, "v");
    EXPECT_EQ(recipe->sampler, "ddim"); // the reference script's sampler
    EXPECT_NE(text->at("parameters").find("Noise level: 30"), std::string::npos)
        << text->at("parameters");

    // The recorded noise level matters: the same seed at another level gives another image.
    std::vector<std::string> other = args;
    ASSERT_EQ(other[9], "--noise-level");
    other[10] = "200";
    other.insert(other.end(), {"--out", path("x4-up-200.png")});
    const CliRun noisier = runCli(other);
    ASSERT_EQ(noisier.exitCode, 0) << noisier.output;
    auto second = readImage(path("x4-up-200.png"));
    ASSERT_TRUE(second.ok());
    EXPECT_NE(second->pixels, image->pixels);
}

TEST_F(CliTest, UpscalerNoiseLevelOutsideItsRangeIsRefused)
{
    ASSERT_TRUE(writePng(path("x4-bad-in.png"), gradientImage(16, 16)).ok());
    // A model without noise augmentation takes no level at all.
    const CliRun superres = runCli({"upscale", "--model", s_models["superres"], "--in",
                                    path("x4-bad-in.png"), "--noise-level", "20", "--quiet",
                                    "--out", path("never.png")});
    EXPECT_EQ(superres.exitCode, 2) << superres.output;
    EXPECT_NE(superres.output.find("noise level"), std::string::npos) << superres.output;

    const std::string model = x4UpscalerFixture();
    if (model.empty())
        GTEST_SKIP() << "no x4 upscaler fixture";
    for (const char* level : {"351", "-1", "1000"}) {
        const CliRun run = runCli({"upscale", "--model", model, "--in", path("x4-bad-in.png"),
                                   "--noise-level", level, "--steps", "1", "--quiet", "--out",
                                   path("never.png")});
        EXPECT_EQ(run.exitCode, 2) << level << ": " << run.output;
        EXPECT_NE(run.output.find("--noise-level must be between 0 and 350"), std::string::npos)
            << run.output;
    }
    EXPECT_FALSE(std::filesystem::exists(path("never.png")));
}

// The tiny text model's weights as a Lightning-style PyTorch checkpoint written by LibTorch.
void writeTinyCkpt(const std::string& from, const std::string& to)
{
    auto file = io::SafetensorsFile::open(from);
    ASSERT_TRUE(file.ok()) << file.error().message;
    c10::Dict<std::string, at::Tensor> state;
    for (const auto& info : file->tensors())
        state.insert(info.name, file->tensor(info.name).clone());
    c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
    root.insert("state_dict", state);
    root.insert("global_step", int64_t(42));
    root.insert("optimizer_states", c10::List<int64_t>({1, 2}));
    const std::vector<char> bytes = torch::pickle_save(root);
    testing::writeBytes(to, std::string(bytes.begin(), bytes.end()));
}

std::string lineStartingWith(const std::string& text, const std::string& start)
{
    const size_t at = text.find("\n" + start);
    return at == std::string::npos ? "" : text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST_F(CliTest, ConvertRewritesACkptAsTheSameSafetensorsAndInspectReadsBoth)
{
    const std::string ckpt = path("tiny.ckpt");
    writeTinyCkpt(s_models["text"], ckpt);
    const CliRun inspectCkpt = runCli({"inspect", ckpt});
    EXPECT_NE(inspectCkpt.output.find("format:        PyTorch zip checkpoint"), std::string::npos)
        << inspectCkpt.output;
    EXPECT_NE(inspectCkpt.output.find("skipped:       optimizer_states"), std::string::npos);
    const std::string tensorsLine = lineStartingWith(inspectCkpt.output, "tensors:");
    EXPECT_FALSE(tensorsLine.empty()) << inspectCkpt.output;
    EXPECT_EQ(tensorsLine, lineStartingWith(runCli({"inspect", s_models["text"]}).output,
                                            "tensors:"));

    const CliRun convert = runCli({"convert", ckpt, path("converted.safetensors")});
    ASSERT_EQ(convert.exitCode, 0) << convert.output;
    EXPECT_NE(convert.output.find("skipped:       optimizer_states"), std::string::npos);
    auto original = io::SafetensorsFile::open(s_models["text"]);
    auto converted = io::SafetensorsFile::open(path("converted.safetensors"));
    ASSERT_TRUE(original.ok() && converted.ok());
    ASSERT_EQ(converted->tensors().size(), original->tensors().size());
    for (const auto& info : original->tensors())
        EXPECT_TRUE(torch::equal(converted->tensor(info.name), original->tensor(info.name)))
            << info.name;
    EXPECT_EQ(converted->metadata().at("global_step"), "42");
    EXPECT_EQ(lineStartingWith(runCli({"inspect", path("converted.safetensors")}).output,
                               "tensors:"),
              tensorsLine);

    const std::string yaml = "model:\n  target: ldm.models.diffusion.ddpm.LatentDiffusion\n";
    std::ofstream(path("config.yaml")) << yaml;
    const CliRun half = runCli({"convert", "--fp16", "--config", path("config.yaml"), ckpt,
                                path("half.safetensors")});
    ASSERT_EQ(half.exitCode, 0) << half.output;
    auto halfFile = io::SafetensorsFile::open(path("half.safetensors"));
    ASSERT_TRUE(halfFile.ok());
    EXPECT_EQ(halfFile->metadata().at("config_yaml"), yaml);
    for (const auto& info : original->tensors()) {
        const torch::Tensor source = original->tensor(info.name);
        EXPECT_EQ(halfFile->find(info.name)->dtype,
                  source.is_floating_point() ? io::DType::F16 : info.dtype)
            << info.name;
    }
}

TEST_F(CliTest, ConvertAndInspectRefuseAMaliciousCkpt)
{
    testing::PickleBuilder pickle;
    pickle.proto().global("os", "system").str("touch " + path("pwned")).op(0x85).op('R').stop();
    testing::writeBytes(path("evil.ckpt"), testing::makeCheckpoint(pickle.bytes, {}));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"convert", path("evil.ckpt"), path("evil.safetensors")},
          std::vector<std::string>{"inspect", path("evil.ckpt")}}) {
        const CliRun run = runCli(args);
        EXPECT_EQ(run.exitCode, 1) << run.output;
        EXPECT_NE(run.output.find("references os.system"), std::string::npos) << run.output;
    }
    EXPECT_FALSE(std::filesystem::exists(path("evil.safetensors")));
    EXPECT_FALSE(std::filesystem::exists(path("pwned")));
}

TEST_F(CliTest, BadInputIsAClearMessageAndANonZeroExit)
{
    {
        std::ifstream in(s_models["text"], std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(path("truncated.safetensors"), std::ios::binary)
            << bytes.substr(0, bytes.size() / 2);
    }
    const CliRun inspect = runCli({"inspect", path("truncated.safetensors")});
    EXPECT_EQ(inspect.exitCode, 1) << inspect.output;
    EXPECT_NE(inspect.output.find("inspect:"), std::string::npos) << inspect.output;

    const CliRun badSize = txt2img(path("never.png"), {"--width", "33"});
    EXPECT_NE(badSize.exitCode, 0);
    EXPECT_NE(badSize.output.find("33"), std::string::npos) << badSize.output;
    EXPECT_FALSE(std::filesystem::exists(path("never.png")));

    const CliRun noModel = runCli({"txt2img", "--model", path("missing.safetensors"),
                                   "--prompt", "x", "--quiet", "--out", path("never.png")});
    EXPECT_NE(noModel.exitCode, 0);
    EXPECT_NE(noModel.output.find("missing.safetensors"), std::string::npos) << noModel.output;

    const CliRun noInput = runCli({"upscale", "--model", s_models["superres"], "--in",
                                   path("no-such-photo.png"), "--out", path("never.png")});
    EXPECT_NE(noInput.exitCode, 0);
    EXPECT_NE(noInput.output.find("no-such-photo.png"), std::string::npos) << noInput.output;

    const CliRun notImages = runCli({"compare", s_models["text"], s_models["text"]});
    EXPECT_EQ(notImages.exitCode, 1) << notImages.output;
    EXPECT_EQ(runCli({"no-such-command"}).exitCode, 2);
}

// Runs the CLI without a shell and returns its exit code and peak resident memory (wait4 reports
// the child's own, unlike RUSAGE_CHILDREN, which keeps the largest of every earlier run).
std::pair<int, long> runCliPeakKb(const std::vector<std::string>& args, const std::string& log)
{
    std::vector<std::string> argv = {LDM_CLI_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    const pid_t child = fork();
    if (child == 0) {
        const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, 1);
        dup2(out, 2);
        std::vector<char*> raw;
        for (auto& arg : argv)
            raw.push_back(arg.data());
        raw.push_back(nullptr);
        execv(raw[0], raw.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, usage.ru_maxrss};
}

TEST_F(CliTest, OutputIsCheckedBeforeTheModelLoadsAndNeverReplacesAnOddFile)
{
    // The folder is checked first: the missing model is never reached.
    const CliRun noFolder = runCli({"txt2img", "--model", path("missing.safetensors"), "--prompt",
                                    "x", "--quiet", "--out", path("no-such-folder/out.png")});
    EXPECT_EQ(noFolder.exitCode, 1) << noFolder.output;
    EXPECT_NE(noFolder.output.find("No such file or directory"), std::string::npos)
        << noFolder.output;
    EXPECT_EQ(noFolder.output.find("missing.safetensors"), std::string::npos) << noFolder.output;

    const std::string fifo = path("out-fifo.png");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::ofstream(path("kept.png")) << "keep me";
    std::filesystem::create_symlink(path("kept.png"), path("out-link.png"));
    std::filesystem::create_directory(path("out-folder.png"));
    for (const char* name : {"out-fifo.png", "out-link.png", "out-folder.png"}) {
        const CliRun run = txt2img(path(name));
        EXPECT_EQ(run.exitCode, 1) << name << ": " << run.output;
        EXPECT_NE(run.output.find("refusing to write"), std::string::npos) << run.output;
        EXPECT_EQ(run.output.find("Success"), std::string::npos) << run.output;
    }
    EXPECT_NE(txt2img(path("out-link.png")).output.find("symbolic link"), std::string::npos);
    EXPECT_TRUE(std::filesystem::is_fifo(fifo));
    EXPECT_TRUE(std::filesystem::is_symlink(path("out-link.png")));
    EXPECT_TRUE(std::filesystem::is_directory(path("out-folder.png")));
    std::ifstream kept(path("kept.png"));
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(kept)), {}), "keep me");
    for (const auto& item : std::filesystem::directory_iterator(s_dir))
        EXPECT_EQ(item.path().filename().string().find(".tmp-"), std::string::npos)
            << item.path();
}

TEST_F(CliTest, InvalidUtf8PromptIsRefusedBeforeGenerating)
{
    for (const char* option : {"--prompt", "--negative"}) {
        const CliRun run = runCli({"txt2img", "--model", s_models["text"], "--steps", "2",
                                   "--quiet", "--out", path("never-utf8.png"), option,
                                   "snow \xC3\x28 lake"});
        EXPECT_EQ(run.exitCode, 2) << run.output;
        EXPECT_NE(run.output.find("not valid UTF-8"), std::string::npos) << run.output;
    }
    EXPECT_FALSE(std::filesystem::exists(path("never-utf8.png")));
}

TEST_F(CliTest, CompareWorksInBandsWithBoundedMemory)
{
    // Bands give the whole-image numbers (SSIM windows straddle band edges).
    RgbImage a;
    a.width = 96;
    a.height = 157;
    a.pixels.resize(size_t(a.width) * size_t(a.height) * 3);
    for (size_t i = 0; i < a.pixels.size(); ++i)
        a.pixels[i] = uint8_t((i * 2654435761u) >> 13);
    RgbImage b = a;
    for (size_t i = 0; i < b.pixels.size(); i += 7)
        b.pixels[i] = uint8_t(b.pixels[i] + 9);
    ASSERT_TRUE(writePng(path("band-a.png"), a).ok());
    ASSERT_TRUE(writePng(path("band-b.png"), b).ok());
    const nlohmann::json whole = compareJson(path("band-a.png"), path("band-b.png"));
    const CliRun banded =
        runCli({"compare", "--json", "--band-rows", "13", path("band-a.png"), path("band-b.png")});
    ASSERT_EQ(banded.exitCode, 0) << banded.output;
    const nlohmann::json parts = nlohmann::json::parse(banded.output, nullptr, false);
    for (const char* key : {"psnr_rgb", "psnr_y", "ssim_y"})
        EXPECT_NEAR(parts[key].get<double>(), whole[key].get<double>(), 1e-9) << key;

    // 16 megapixels: whole-image metrics held ~170 bytes per pixel (2.7 GB).
    RgbImage large;
    large.width = large.height = 4096;
    large.pixels.assign(size_t(4096) * 4096 * 3, 90);
    ASSERT_TRUE(writePng(path("large-a.png"), large).ok());
    std::fill(large.pixels.begin(), large.pixels.begin() + 4096 * 3 * 100, uint8_t(120));
    ASSERT_TRUE(writePng(path("large-b.png"), large).ok());
    large = {};
    const auto [code, peakKb] = runCliPeakKb(
        {"compare", "--json", path("large-a.png"), path("large-b.png")}, path("compare.log"));
    EXPECT_EQ(code, 0);
    std::printf("compare of two 4096x4096 images: peak %ld MB\n", peakKb / 1024);
    EXPECT_LT(peakKb, 1024 * 1024) << "peak resident memory over 1 GB";
}

/// A 32x32 photo stand-in and a mask with a white (fill) square, written as PNGs.
struct EditInputs {
    RgbImage image;
    RgbImage mask;
};

EditInputs writeEditInputs(const std::string& dir)
{
    EditInputs inputs;
    inputs.image = {32, 32, std::vector<uint8_t>(32 * 32 * 3)};
    for (size_t i = 0; i < inputs.image.pixels.size(); ++i)
        inputs.image.pixels[i] = uint8_t((i * 37 + i / 96 * 11) % 256);
    inputs.mask = {32, 32, std::vector<uint8_t>(32 * 32 * 3, 0)};
    for (int y = 8; y < 20; ++y)
        std::fill_n(inputs.mask.pixels.begin() + (y * 32 + 10) * 3, 14 * 3, uint8_t(255));
    EXPECT_TRUE(writePng(dir + "/edit-in.png", inputs.image).ok());
    EXPECT_TRUE(writePng(dir + "/edit-mask.png", inputs.mask).ok());
    RgbImage black = inputs.mask;
    std::fill(black.pixels.begin(), black.pixels.end(), uint8_t(0));
    EXPECT_TRUE(writePng(dir + "/edit-mask-black.png", black).ok());
    const RgbImage small{16, 16, std::vector<uint8_t>(16 * 16 * 3, 255)};
    EXPECT_TRUE(writePng(dir + "/edit-mask-small.png", small).ok());
    return inputs;
}

/// The arguments every edit command shares (tiny model, few steps, fixed seed).
std::vector<std::string> editArgs(const std::string& task, const std::string& model,
                                  const std::string& dir, const std::string& out,
                                  std::vector<std::string> extra)
{
    std::vector<std::string> args = {task, "--model", model, "--in", dir + "/edit-in.png",
                                     "--prompt", "a calm lake", "--sampler", "ddim", "--steps",
                                     "3", "--seed", "3", "--quiet", "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

/// Bytes of `result` at the input's pixels (placed at left, top) that differ from the input,
/// counting only pixels the mask keeps (no mask: all of them).
size_t keptPixelsChanged(const RgbImage& input, const RgbImage& result, int left, int top,
                         const RgbImage* mask = nullptr)
{
    size_t changed = 0;
    for (int y = 0; y < input.height; ++y)
        for (int x = 0; x < input.width; ++x)
            for (int c = 0; c < 3; ++c) {
                const size_t from = (size_t(y) * size_t(input.width) + size_t(x)) * 3 + c;
                if (mask && mask->pixels[from] != 0)
                    continue;
                const size_t to =
                    (size_t(y + top) * size_t(result.width) + size_t(x + left)) * 3 + c;
                changed += result.pixels[to] != input.pixels[from];
            }
    return changed;
}

TEST_F(CliTest, Img2ImgInpaintAndOutpaintWriteImagesWithTheirRecipes)
{
    const EditInputs inputs = writeEditInputs(s_dir);
    const CliRun img2img = runCli(editArgs("img2img", s_models["text"], s_dir,
                                           path("edit-img2img.png"), {"--strength", "0.5"}));
    ASSERT_EQ(img2img.exitCode, 0) << img2img.output;
    auto redrawn = readImage(path("edit-img2img.png"));
    ASSERT_TRUE(redrawn.ok());
    EXPECT_EQ(redrawn->width, 32);
    const std::string redrawnText = readPngText(path("edit-img2img.png"))->at("parameters");
    EXPECT_NE(redrawnText.find("Denoising strength: 0.5"), std::string::npos) << redrawnText;
    EXPECT_NE(redrawnText.find("Task: img2img"), std::string::npos) << redrawnText;

    // An ordinary model (re-noise and paste) and an SD inpainting file (concat input) alike.
    for (const char* model : {"text", "sd1_inpaint"}) {
        const std::string out = path(std::string("edit-inpaint-") + model + ".png");
        const CliRun inpaint = runCli(editArgs("inpaint", s_models[model], s_dir, out,
                                               {"--mask", path("edit-mask.png")}));
        ASSERT_EQ(inpaint.exitCode, 0) << model << ": " << inpaint.output;
        auto filled = readImage(out);
        ASSERT_TRUE(filled.ok());
        ASSERT_EQ(filled->width, 32);
        EXPECT_EQ(keptPixelsChanged(inputs.image, *filled, 0, 0, &inputs.mask), 0u) << model;
        EXPECT_GT(keptPixelsChanged(inputs.image, *filled, 0, 0), 0u) << model;

        const std::string grown = path(std::string("edit-outpaint-") + model + ".png");
        const CliRun outpaint = runCli(editArgs("outpaint", s_models[model], s_dir, grown,
                                                {"--left", "8", "--bottom", "5"}));
        ASSERT_EQ(outpaint.exitCode, 0) << model << ": " << outpaint.output;
        auto extended = readImage(grown);
        ASSERT_TRUE(extended.ok());
        // The tiny models' latent factor is 4: a bottom growth of 5 becomes 8.
        EXPECT_EQ(extended->width, 40) << model;
        EXPECT_EQ(extended->height, 40) << model;
        EXPECT_EQ(keptPixelsChanged(inputs.image, *extended, 8, 0), 0u) << model;
        const std::string text = readPngText(grown)->at("parameters");
        EXPECT_NE(text.find("Task: outpaint"), std::string::npos) << text;
        EXPECT_NE(text.find("Outpaint: left 8 right 0 top 0 bottom 8"), std::string::npos)
            << text;
    }
    const CliRun inspect = runCli({"inspect", s_models["sd1_inpaint"]});
    EXPECT_EQ(inspect.exitCode, 0) << inspect.output;
    EXPECT_NE(inspect.output.find("Stable Diffusion 1.x inpainting"), std::string::npos)
        << inspect.output;
    EXPECT_NE(inspect.output.find("inpainting model"), std::string::npos) << inspect.output;
}

TEST_F(CliTest, BadEditInputsAreClearMessagesAndWriteNothing)
{
    writeEditInputs(s_dir);
    const std::string never = path("edit-never.png");
    struct Case {
        std::string task;
        std::vector<std::string> extra;
        int exitCode;
        std::string words;
    };
    const std::vector<Case> cases = {
        {"inpaint", {"--mask", path("edit-mask-small.png")}, 1, "must be the same size"},
        {"inpaint", {"--mask", path("edit-mask-black.png")}, 1, "nothing to fill"},
        {"inpaint", {}, 2, "give the mask"},
        {"img2img", {"--strength", "1.5"}, 2, "--strength must be between 0 and 1"},
        {"inpaint", {"--mask", path("edit-mask.png"), "--strength", "-0.2"}, 2,
         "--strength must be between 0 and 1"},
        {"outpaint", {"--right", "4090"}, 1, "largest accepted side is 4096"},
        {"outpaint", {"--top", "5000"}, 1, "beyond the largest side of 4096"},
        {"outpaint", {}, 2, "give the pixels to add"},
        {"outpaint", {"--left", "0", "--top", "0"}, 2, "give the pixels to add"},
        {"outpaint", {"--left", "-8"}, 2, "left"},
    };
    for (const Case& c : cases) {
        const CliRun run = runCli(editArgs(c.task, s_models["text"], s_dir, never, c.extra));
        EXPECT_EQ(run.exitCode, c.exitCode) << c.task << " " << c.words << ": " << run.output;
        EXPECT_NE(run.output.find(c.words), std::string::npos) << run.output;
        EXPECT_FALSE(std::filesystem::exists(never)) << c.task << " " << c.words;
    }
    // An inpainting model does nothing but fill: img2img is refused by name.
    const CliRun refused = runCli(editArgs("img2img", s_models["sd1_inpaint"], s_dir, never, {}));
    EXPECT_EQ(refused.exitCode, 1) << refused.output;
    EXPECT_NE(refused.output.find("cannot do task 'img2img'"), std::string::npos)
        << refused.output;
}

/// The shared SD-1.x, SD-2.x and ControlNet fixtures (or empty after a loud skip; CI fails).
std::map<std::string, std::string> controlNetFixtures()
{
    const char* root = std::getenv("LDM_FIXTURES_DIR");
    const char* parity = std::getenv("LDM_PARITY_DIR_DEFAULT");
    const std::filesystem::path fixtures =
        root && *root ? std::filesystem::path(root)
                      : std::filesystem::path(parity ? parity : "").parent_path();
    const std::map<std::string, std::string> files = {
        {"sd1", (fixtures / "sd1" / "sd1_tiny.safetensors").string()},
        {"sd2", (fixtures / "sd2" / "sd2_tiny.safetensors").string()},
        {"control", (fixtures / "controlnet" / "controlnet_tiny.safetensors").string()}};
    for (const auto& [kind, file] : files)
        if (!std::filesystem::is_regular_file(file)) {
            const std::string why = "REFERENCE FIXTURE NOT FOUND: " + file;
            if (std::getenv("LDM_REQUIRE_FIXTURES") &&
                std::string(std::getenv("LDM_REQUIRE_FIXTURES")) == "1")
                ADD_FAILURE() << why << " (LDM_REQUIRE_FIXTURES=1)";
            else
                std::fprintf(stderr, "\n*** %s: the ControlNet CLI test is SKIPPED ***\n\n",
                             why.c_str());
            return {};
        }
    return files;
}

TEST_F(CliTest, PaintWithAControlNetAndClearErrorsForFilesThatDoNotBelong)
{
    const auto files = controlNetFixtures();
    if (files.empty())
        return;
    RgbImage map;
    map.width = 64;
    map.height = 48;
    for (int i = 0; i < map.width * map.height; ++i)
        for (uint8_t c : {uint8_t(i % 64 < 32 ? 4 : 120), uint8_t(200), uint8_t(i / 64 * 5)})
            map.pixels.push_back(c);
    ASSERT_TRUE(writePng(path("control-map.png"), map, {}).ok());
    {
        std::ifstream in(files.at("control"), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(path("control-cut.safetensors"), std::ios::binary)
            << bytes.substr(0, bytes.size() * 2 / 3);
    }
    const auto paint = [&](const std::string& model, const std::string& control,
                           std::vector<std::string> extra) {
        std::vector<std::string> args = {"paint", "--model", model, "--map",
                                         path("control-map.png"), "--prompt", "a living room",
                                         "--steps", "2", "--seed", "5", "--quiet", "--out",
                                         path("controlled.png")};
        if (!control.empty())
            args.insert(args.end(), {"--control", control});
        args.insert(args.end(), extra.begin(), extra.end());
        return runCli(args);
    };
    const CliRun good = paint(files.at("sd1"), files.at("control"),
                              {"--control-strength", "0.8", "--control-end", "0.5"});
    ASSERT_EQ(good.exitCode, 0) << good.output;
    auto written = readImage(path("controlled.png"));
    ASSERT_TRUE(written.ok());
    EXPECT_EQ(written->width, 64); // the map's size
    EXPECT_EQ(written->height, 48);
    std::ifstream png(path("controlled.png"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(png)), {});
    EXPECT_NE(bytes.find("ControlNet 0: \"Module: none, Model: controlnet_tiny.safetensors ["),
              std::string::npos);
    EXPECT_NE(bytes.find("Weight: 0.8"), std::string::npos);
    std::filesystem::remove(path("controlled.png"));

    struct Case {
        std::string model, control;
        std::vector<std::string> extra;
        int exitCode;
        std::string words;
    };
    const std::vector<Case> cases = {
        {files.at("sd2"), files.at("control"), {}, 1, "does not belong to Stable Diffusion 2.x"},
        {files.at("sd1"), files.at("sd1"), {}, 1, "no control_model.* tensors"},
        {files.at("sd1"), path("control-cut.safetensors"), {}, 1, "control-cut.safetensors"},
        {s_models["text"], files.at("control"), {}, 1, "not a Stable Diffusion model"},
        {files.at("sd1"), "", {"--control-strength", "0.5"}, 2, "needs --control"},
        {files.at("sd1"), files.at("control"), {"--control-start", "0.8", "--control-end", "0.2"},
         2, "must not be after"},
    };
    for (const Case& c : cases) {
        const CliRun run = paint(c.model, c.control, c.extra);
        EXPECT_EQ(run.exitCode, c.exitCode) << c.words << ": " << run.output;
        EXPECT_NE(run.output.find(c.words), std::string::npos) << run.output;
        EXPECT_FALSE(std::filesystem::exists(path("controlled.png"))) << c.words;
    }
}

} // namespace
} // namespace ldm
