// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI given special files where it expects a checkpoint or an image: it must answer with a
// clear error at once, never wait. Each run is bounded by `timeout`, so a regression fails the
// test (exit 124/137) instead of hanging the suite.
#include "support/cli_run.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm {
namespace {

namespace fs = std::filesystem;

TEST(CliHostile, InspectAnswersAFifoAtOnce)
{
    const fs::path dir =
        fs::temp_directory_path() / ("ldm_tst_cli_hostile_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (const char* name : {"x.png", "x.safetensors", "x.ckpt"}) {
        const std::string fifo = (dir / name).string();
        ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
        const auto run = testing::runCliBinary({"inspect", fifo}, 60);
        EXPECT_NE(run.exitCode, 0) << name;
        EXPECT_NE(run.exitCode, 137) << name << ": killed after hanging";
        EXPECT_NE(run.output.find("is not a regular file (a FIFO)"), std::string::npos)
            << name << ": " << run.output;
    }
    fs::remove_all(dir);
}

// Every command that reads a file given by a person: the FIFO is refused at once, whichever
// option names it (models, configs, ControlNets, pictures, maps, masks, hints, comparisons,
// conversions), before any model is loaded or after, never by blocking.
TEST(CliHostile, EveryCommandAnswersAFifoAtOnce)
{
    const fs::path dir =
        fs::temp_directory_path() / ("ldm_tst_cli_hostile_all_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto fifo = [&](const char* name) {
        const std::string path = (dir / name).string();
        EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0) << path;
        return path;
    };
    const std::string model = fifo("model.safetensors");
    const std::string config = fifo("config.yaml");
    const std::string control = fifo("control.safetensors");
    const std::string picture = fifo("in.png");
    const std::string map = fifo("map.png");
    const std::string mask = fifo("mask.png");
    const std::string ckpt = fifo("model.ckpt");
    const std::string out = (dir / "out.png").string();
    const std::string superres = testing::writeTinyModel(dir.string(), "superres");
    const std::vector<std::vector<std::string>> runs{
        {"txt2img", "--model", model, "--prompt", "a lake", "--out", out},
        {"txt2img", "--model", "landscape", "--config", config, "--out", out},
        {"txt2img", "--control", control, "--hint", picture, "--out", out},
        {"paint", "--map", map, "--out", out},
        {"img2img", "--in", picture, "--out", out},
        {"inpaint", "--in", picture, "--mask", mask, "--out", out},
        {"outpaint", "--in", picture, "--left", "64", "--out", out},
        {"upscale", "--model", model, "--in", picture, "--out", out},
        {"upscale", "--model", superres, "--in", picture, "--out", out},
        {"compare", picture, map},
        {"convert", ckpt, (dir / "converted.safetensors").string()},
    };
    for (const auto& args : runs) {
        std::string shown;
        for (const auto& arg : args)
            shown += arg + " ";
        const auto run = testing::runCliBinary(args, 120);
        EXPECT_NE(run.exitCode, 0) << shown;
        EXPECT_NE(run.exitCode, 137) << shown << ": killed after hanging";
        EXPECT_NE(run.output.find("is not a regular file (a FIFO)"), std::string::npos)
            << shown << "\n" << run.output;
        EXPECT_FALSE(fs::exists(out)) << shown;
    }
    fs::remove_all(dir);
}

} // namespace
} // namespace ldm
