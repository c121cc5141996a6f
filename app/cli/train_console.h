// SPDX-License-Identifier: GPL-3.0-or-later
// What the training commands share on the console: Ctrl-C / SIGTERM as a "save and stop"
// request, and progress lines that rewrite themselves on a terminal.
#pragma once

#include "cli_options.h"
#include "train/training_loop.h"

#include <atomic>
#include <string>
#include <vector>

namespace ldm::cli {

/// `--precision bf16|fp32` as the trainers' `bf16` option wants it: 1, 0, or −1 when absent;
/// −2 (after printing why, prefixed with `command`) for any other value.
int precisionOverride(const Options& options, const char* command);

/// A trainer's option table: --config (default `configDefault`), --run-dir (default
/// `<runs folder>/<runName>`), --resume, --threads, --steps, then `own` (precision, data and
/// export flags), then --profile and --no-prefetch.
std::vector<OptionSpec> trainerOptionTable(const std::string& configDefault,
                                           const std::string& runName, std::vector<OptionSpec> own);

/// Reads the flags both trainers take (--run-dir, default `<runs folder>/<defaultRunName>`;
/// --threads N|auto, --precision, --steps, --allow-no-photos, --no-prefetch) into `run`.
/// False, after printing why, for a bad --precision; other problems stay in options.error().
bool readRunOptions(Options& options, const char* command, const std::string& defaultRunName,
                    train::RunOptions& run);

/// Set by SIGINT/SIGTERM once installStopHandler() ran; the trainers poll it between steps
/// and save a checkpoint before returning.
std::atomic<bool>& trainingStopFlag();
void installStopHandler();

/// "1h05m" or "4m09s".
std::string formatDuration(double seconds);

/// What `train-status` shows of a run: written to `<runDir>/status.json` at every log point.
struct TrainingStatus
{
    std::string kind;      ///< "autoencoder" or "ldm"
    long long step = 0, totalSteps = 0;
    double loss = 0, stepsPerSecond = 0;
    double eval = -1;      ///< last held-out figure (PSNR dB for autoencoders), < 0 if none
    std::string evalName;  ///< what `eval` measures
};
/// Writes `<runDir>/status.json` (atomically: temp file + rename) with a UTC time stamp and
/// this process's id, so `train-status` can tell a live run from a stopped one. Failures are
/// ignored: a status file must never stop training.
void writeTrainingStatus(const std::string& runDir, const TrainingStatus& status);
/// The runs folder: $LDM_RUNS_DIR, else ~/.cache/latent-canvas/runs.
std::string defaultRunsDir();

/// Prints one progress line. `event` (",samples,checkpoint" style, leading comma) is shown in
/// brackets; on a terminal the line is rewritten in place unless it carries an event.
void printTrainingLine(const std::string& text, const std::string& event, bool terminal);

} // namespace ldm::cli
