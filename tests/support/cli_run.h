// SPDX-License-Identifier: GPL-3.0-or-later
// Runs the real `latent-canvas-cli` binary (LDM_CLI_PATH) as a person would, for the CLI tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

namespace ldm::testing {

struct CliOutput
{
    int exitCode = -1;
    std::string output; ///< stdout and stderr together
};

inline std::string shellQuoted(const std::string& arg)
{
    std::string out = "'";
    for (char c : arg)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs the CLI with `args`; with `killAfterSeconds` > 0 it is killed after that long (exit
/// code 137) and reads no stdin, so a hang fails the test instead of stopping the suite.
inline CliOutput runCliBinary(const std::vector<std::string>& args, int killAfterSeconds = 0)
{
    std::string command = shellQuoted(LDM_CLI_PATH);
    if (killAfterSeconds > 0)
        command = "timeout -s KILL " + std::to_string(killAfterSeconds) + " " + command;
    for (const std::string& arg : args)
        command += " " + shellQuoted(arg);
    command += killAfterSeconds > 0 ? " 2>&1 </dev/null" : " 2>&1";
    CliOutput run;
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

} // namespace ldm::testing
