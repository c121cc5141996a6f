// SPDX-License-Identifier: GPL-3.0-or-later
// What the training commands share on the console: Ctrl-C / SIGTERM as a "save and stop"
// request, and progress lines that rewrite themselves on a terminal.
#pragma once

#include <atomic>
#include <string>

namespace ldm::cli {

/// Set by SIGINT/SIGTERM once installStopHandler() ran; the trainers poll it between steps
/// and save a checkpoint before returning.
std::atomic<bool>& trainingStopFlag();
void installStopHandler();

/// "1h05m" or "4m09s".
std::string formatDuration(double seconds);

/// Prints one progress line. `event` (",samples,checkpoint" style, leading comma) is shown in
/// brackets; on a terminal the line is rewritten in place unless it carries an event.
void printTrainingLine(const std::string& text, const std::string& event, bool terminal);

} // namespace ldm::cli
