// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace ldm::cli {

/// Exit codes shared by all commands.
constexpr int ExitOk = 0;
constexpr int ExitFailure = 1; ///< the work failed (bad file, mismatch, ...)
constexpr int ExitUsage = 2;   ///< the command line was wrong

/// Each command takes the arguments after its name and returns the exit code.
int runInspect(const std::vector<std::string>& args);
int runConvert(const std::vector<std::string>& args);
int runTxt2Img(const std::vector<std::string>& args);
int runPaint(const std::vector<std::string>& args);
int runUpscale(const std::vector<std::string>& args);
int runImg2Img(const std::vector<std::string>& args);
int runInpaint(const std::vector<std::string>& args);
int runOutpaint(const std::vector<std::string>& args);
int runBench(const std::vector<std::string>& args);
int runTrainAe(const std::vector<std::string>& args);
int runTrainLdm(const std::vector<std::string>& args);
int runTrainStatus(const std::vector<std::string>& args);
int runEvalAe(const std::vector<std::string>& args);
int runEvalLdm(const std::vector<std::string>& args);
int runCompare(const std::vector<std::string>& args);

} // namespace ldm::cli
