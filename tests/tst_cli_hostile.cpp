// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI given special files where it expects a checkpoint or an image: it must answer with a
// clear error at once, never wait. Each run is bounded by `timeout`, so a regression fails the
// test (exit 124/137) instead of hanging the suite.
#include "support/cli_run.h"

#include <gtest/gtest.h>

#include <filesystem>
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

} // namespace
} // namespace ldm
