// SPDX-License-Identifier: GPL-3.0-or-later
// Every CLI option does what its help says or is refused: help for every command (also after a
// mistake), bench --compare's fixed variants, eval-ldm's --threads, --precision and --eta where
// they mean nothing, and the upscale tile in input pixels with 0 = the whole image.
#include "support/cli_run.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace ldm {
namespace {

using testing::CliOutput;
using testing::runCliBinary;

/// The command names the top-level help lists (so a new command gets tested too).
std::vector<std::string> listedCommands()
{
    const CliOutput help = runCliBinary({"--help"});
    EXPECT_EQ(help.exitCode, 0) << help.output;
    std::vector<std::string> names;
    std::istringstream lines(help.output);
    std::string line;
    bool inList = false;
    while (std::getline(lines, line)) {
        if (line == "commands:") {
            inList = true;
            continue;
        }
        if (inList && line.rfind("  ", 0) == 0) {
            std::istringstream words(line);
            std::string name;
            words >> name;
            names.push_back(name);
        } else if (inList && !line.empty()) {
            break;
        }
    }
    return names;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

TEST(CliControls, EveryCommandHasHelp)
{
    const std::vector<std::string> commands = listedCommands();
    ASSERT_GE(commands.size(), 15u);
    for (const std::string& command : commands) {
        const CliOutput help = runCliBinary({command, "--help"});
        EXPECT_EQ(help.exitCode, 0) << command << ": " << help.output;
        EXPECT_TRUE(contains(help.output, "usage: latent-canvas-cli " + command))
            << command << ": " << help.output;
        EXPECT_TRUE(contains(help.output, "--help")) << command;
    }
}

TEST(CliControls, HelpAfterAMistakeShowsTheHelp)
{
    for (const std::string& command : listedCommands()) {
        for (const std::vector<std::string>& mistake :
             {std::vector<std::string>{"--bogus", "--help"}, {"--bogus", "-h"}}) {
            std::vector<std::string> args = {command};
            args.insert(args.end(), mistake.begin(), mistake.end());
            const CliOutput help = runCliBinary(args);
            EXPECT_EQ(help.exitCode, 0) << command << ": " << help.output;
            EXPECT_TRUE(contains(help.output, "usage: latent-canvas-cli " + command))
                << command << ": " << help.output;
        }
    }
    // A misspelt option without --help is still an error.
    const CliOutput wrong = runCliBinary({"txt2img", "--bogus"});
    EXPECT_EQ(wrong.exitCode, 2) << wrong.output;
    EXPECT_TRUE(contains(wrong.output, "unknown option --bogus")) << wrong.output;
}

TEST(CliControls, BenchCompareRefusesWhatItWouldIgnore)
{
    const std::vector<std::vector<std::string>> ignored = {
        {"--precision", "bf16"}, {"--channels-last"}, {"--profile"}, {"--profile-shapes"},
        {"--decode-runs", "3"},  {"--warmup", "2"}};
    for (const auto& option : ignored) {
        std::vector<std::string> args = {"bench", "--compare", "--config", "/nonexistent.yaml"};
        args.insert(args.end(), option.begin(), option.end());
        const CliOutput run = runCliBinary(args);
        EXPECT_EQ(run.exitCode, 2) << option[0] << ": " << run.output;
        EXPECT_TRUE(contains(run.output, option[0] + " does not apply")) << run.output;
    }
    // --check-accuracy is what --compare always reports: accepted (the missing file fails next).
    const CliOutput accuracy = runCliBinary(
        {"bench", "--compare", "--check-accuracy", "--config", "/nonexistent.yaml"});
    EXPECT_FALSE(contains(accuracy.output, "does not apply")) << accuracy.output;
}

TEST(CliControls, EvalLdmChecksThreadsBeforeItStarts)
{
    const CliOutput run =
        runCliBinary({"eval-ldm", "--threads", "-3", "--model", "/nonexistent.safetensors"});
    EXPECT_EQ(run.exitCode, 2) << run.output;
    EXPECT_TRUE(contains(run.output, "--threads")) << run.output;
}

TEST(CliControls, PrecisionOutsideFp32AndBf16IsRefusedBeforeLoading)
{
    for (const std::string task : {"txt2img", "upscale"}) {
        std::vector<std::string> args = {task, "--precision", "fp16", "--model",
                                         "/nonexistent.safetensors"};
        if (task == "upscale")
            args.insert(args.end(), {"--in", "x.png"});
        const CliOutput run = runCliBinary(args);
        EXPECT_EQ(run.exitCode, 2) << task << ": " << run.output;
        EXPECT_TRUE(contains(run.output, "--precision must be fp32 or bf16")) << run.output;
    }
}

class CliModelControls : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("cli_controls");
        s_text = testing::writeTinyModel(s_dir, "text");
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    static inline std::string s_dir;
    static inline std::string s_text;
};

TEST_F(CliModelControls, EtaIsRefusedForSamplersThatDoNotReadIt)
{
    // Named sampler: refused before the model loads.
    const CliOutput named = runCliBinary({"txt2img", "--sampler", "plms", "--eta", "0.5",
                                          "--model", "/nonexistent.safetensors"});
    EXPECT_EQ(named.exitCode, 2) << named.output;
    EXPECT_TRUE(contains(named.output, "--eta applies to the ddim sampler only")) << named.output;
    // The model's default sampler (DPM-Solver++ 2M): refused once it is known.
    const CliOutput byDefault =
        runCliBinary({"txt2img", "--model", s_text, "--eta", "0.5", "--steps", "2", "--width",
                      "32", "--height", "32", "--quiet", "--out", s_dir + "/eta.png"});
    EXPECT_EQ(byDefault.exitCode, 2) << byDefault.output;
    EXPECT_TRUE(contains(byDefault.output, "--eta applies to the ddim sampler only"))
        << byDefault.output;
    EXPECT_FALSE(std::filesystem::exists(s_dir + "/eta.png"));
    // DDIM reads it.
    const CliOutput ddim = runCliBinary({"txt2img", "--model", s_text, "--sampler", "ddim",
                                         "--eta", "0.5", "--steps", "2", "--width", "32",
                                         "--height", "32", "--quiet", "--out",
                                         s_dir + "/ddim.png"});
    EXPECT_EQ(ddim.exitCode, 0) << ddim.output;
}

TEST(CliControls, UpscaleTileIsInInputPixelsAndZeroIsTheWholeImage)
{
    const CliOutput help = runCliBinary({"upscale", "--help"});
    EXPECT_TRUE(contains(help.output, "tile edge in input pixels, 0 = the whole image"))
        << help.output;
    const CliOutput negative = runCliBinary({"upscale", "--tile", "-1", "--in", "x.png"});
    EXPECT_EQ(negative.exitCode, 2) << negative.output;
    EXPECT_TRUE(contains(negative.output, "--tile")) << negative.output;
}

} // namespace
} // namespace ldm
