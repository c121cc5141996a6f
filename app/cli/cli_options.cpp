// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_options.h"
#include "commands.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ldm::cli {
namespace {

// A request for help wins over a mistake before it: `cmd --bogus --help` shows the help a
// person asked for instead of the error they are trying to understand.
bool helpFollows(const std::vector<std::string>& args, size_t from)
{
    for (size_t i = from; i < args.size(); ++i)
        if (args[i] == "-h" || args[i] == "--help")
            return true;
    return false;
}

} // namespace

Options Options::parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs)
{
    Options options;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-h" || arg == "--help") {
            options.m_help = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) {
            options.m_positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = nullptr;
        for (const auto& candidate : specs)
            if (candidate.name == name)
                spec = &candidate;
        if (!spec) {
            options.m_error = "unknown option --" + name;
            options.m_help = options.m_help || helpFollows(args, i + 1);
            return options;
        }
        if (spec->valueName.empty()) {
            options.m_values[name] = "1";
        } else if (inlineValue) {
            options.m_values[name] = *inlineValue;
        } else if (i + 1 < args.size()) {
            options.m_values[name] = args[++i];
        } else {
            options.m_error = "--" + name + " needs a value (" + spec->valueName + ")";
            options.m_help = options.m_help || helpFollows(args, i + 1);
            return options;
        }
    }
    return options;
}

std::string Options::text(const std::string& name, const std::string& fallback) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

long long Options::integer(const std::string& name, long long fallback, long long min,
                           long long max)
{
    if (!has(name))
        return fallback;
    const std::string value = text(name);
    errno = 0;
    char* end = nullptr;
    const long long parsed = std::strtoll(value.c_str(), &end, 10);
    if (errno != 0 || !end || *end != '\0' || value.empty() || parsed < min || parsed > max) {
        if (m_error.empty())
            m_error = "--" + name + " must be an integer from " + std::to_string(min) + " to " +
                      std::to_string(max) + ", got '" + value + "'";
        return fallback;
    }
    return parsed;
}

double Options::number(const std::string& name, double fallback, double min, double max)
{
    if (!has(name))
        return fallback;
    const std::string value = text(name);
    errno = 0;
    char* end = nullptr;
    const double parsed = std::strtod(value.c_str(), &end);
    if (errno != 0 || !end || *end != '\0' || value.empty() || !(parsed >= min && parsed <= max)) {
        if (m_error.empty()) {
            char range[96];
            std::snprintf(range, sizeof range, "a number from %g to %g", min, max);
            m_error = "--" + name + " must be " + range + ", got '" + value + "'";
        }
        return fallback;
    }
    return parsed;
}

std::optional<unsigned long long> Options::unsignedValue(const std::string& name)
{
    if (!has(name))
        return std::nullopt;
    const std::string value = text(name);
    errno = 0;
    char* end = nullptr;
    const unsigned long long parsed = std::strtoull(value.c_str(), &end, 10);
    if (errno != 0 || !end || *end != '\0' || value.empty() || value[0] == '-') {
        if (m_error.empty())
            m_error = "--" + name + " must be a non-negative integer, got '" + value + "'";
        return std::nullopt;
    }
    return parsed;
}

void printHelp(const std::string& command, const std::string& usage, const std::string& summary,
               const std::vector<OptionSpec>& specs)
{
    std::printf("usage: latent-canvas-cli %s %s\n\n%s\n\noptions:\n", command.c_str(),
                usage.c_str(), summary.c_str());
    for (const auto& spec : specs) {
        std::string left = "--" + spec.name + (spec.valueName.empty() ? "" : " " + spec.valueName);
        std::printf("  %-26s %s%s\n", left.c_str(), spec.help.c_str(),
                    spec.defaultText.empty() ? "" : (" (default: " + spec.defaultText + ")").c_str());
    }
    std::printf("  %-26s %s\n", "-h, --help", "show this help");
}

std::optional<int> usageError(const Options& options, const std::string& command, int positional,
                              const std::string& countProblem)
{
    if (!options.error().empty()) {
        std::fprintf(stderr, "%s: %s\n", command.c_str(), options.error().c_str());
        return ExitUsage;
    }
    if (positional >= 0 && options.positional().size() != size_t(positional)) {
        std::fprintf(stderr, "%s: %s\n", command.c_str(), countProblem.c_str());
        return ExitUsage;
    }
    return std::nullopt;
}

std::optional<int> helpOrUsageError(const Options& options, const CommandHelp& help,
                                    const std::vector<OptionSpec>& specs, int positional,
                                    const std::string& countProblem)
{
    if (options.helpRequested()) {
        printHelp(help.command, help.usage, help.summary, specs);
        return ExitOk;
    }
    return usageError(options, help.command, positional, countProblem);
}

} // namespace ldm::cli
