// SPDX-License-Identifier: GPL-3.0-or-later
// A small `--name value` / `--flag` parser shared by the CLI commands (no Qt: the CLI builds
// with LibTorch alone).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ldm::cli {

/// One option a command accepts, for parsing and for --help.
struct OptionSpec {
    std::string name;        ///< without dashes
    std::string valueName;   ///< empty for a flag
    std::string help;
    std::string defaultText; ///< shown in --help
};

/// Parsed arguments of one command.
class Options {
public:
    /// Parses argv after the command name. Unknown options, missing values and stray
    /// arguments make `error` non-empty.
    static Options parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    std::string text(const std::string& name, const std::string& fallback = {}) const;
    /// Integer value; sets error() when the text is not an integer in [min, max].
    long long integer(const std::string& name, long long fallback, long long min, long long max);
    /// Floating value; sets error() when not a number in [min, max].
    double number(const std::string& name, double fallback, double min, double max);
    /// Unsigned 64-bit value (seeds).
    std::optional<unsigned long long> unsignedValue(const std::string& name);
    const std::vector<std::string>& positional() const { return m_positional; }

    const std::string& error() const { return m_error; }
    bool helpRequested() const { return m_help; }

private:
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
    std::string m_error;
    bool m_help = false;
};

/// Prints "usage: latent-canvas-cli <command> <usage>" and the option table.
void printHelp(const std::string& command, const std::string& usage, const std::string& summary,
               const std::vector<OptionSpec>& specs);

/// What a command's --help prints above its option table.
struct CommandHelp
{
    std::string command; ///< "convert"
    std::string usage;   ///< "[options] IN.ckpt OUT.safetensors"
    std::string summary;
};

/// The start every command shares: for --help prints the help and returns ExitOk; for an option
/// the parser refused, or (when `positional` ≥ 0) another number of plain arguments, prints
/// "<command>: <problem>" (`countProblem` for the count) and returns ExitUsage; otherwise
/// returns nothing and the command goes on.
std::optional<int> helpOrUsageError(const Options& options, const CommandHelp& help,
                                    const std::vector<OptionSpec>& specs, int positional,
                                    const std::string& countProblem);
/// The usage half alone, for commands that read some options before checking them all.
std::optional<int> usageError(const Options& options, const std::string& command, int positional,
                              const std::string& countProblem);

} // namespace ldm::cli
