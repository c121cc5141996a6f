// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI test fixture shared by the tst_cli sources: tiny random-weight checkpoints written once
// per suite, and the real `latent-canvas-cli` binary run on them (support/cli_run.h).
#pragma once

#include "support/cli_run.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ldm {

using CliRun = testing::CliOutput;

inline CliRun runCli(const std::vector<std::string>& args)
{
    return testing::runCliBinary(args);
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

} // namespace ldm
