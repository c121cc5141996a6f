// SPDX-License-Identifier: GPL-3.0-or-later
// Loss history of a training run (kept in the run folder, so a resumed run's curve continues)
// and its plot.
#pragma once

#include "ldm/result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ldm::train {

/// One logged point: named values at a step (loss parts averaged since the last point).
struct HistoryEntry
{
    int64_t step = 0;
    std::map<std::string, double> values;
};

/// The run's history, in step order.
class LossHistory
{
public:
    /// Appends a point; points at or before the last step are dropped (a resumed run repeats
    /// nothing).
    void add(int64_t step, std::map<std::string, double> values);
    /// Adds a value to the point at `step` (creating it), e.g. a held-out PSNR.
    void annotate(int64_t step, const std::string& name, double value);
    const std::vector<HistoryEntry>& entries() const { return m_entries; }
    /// Removes points after `step` (used on resume when the history ran ahead of a checkpoint).
    void truncateAfter(int64_t step);

    nlohmann::json toJson() const;
    static LossHistory fromJson(const nlohmann::json& json);

    /// Draws the curves named in `lossNames` (log scale, moving average) and, on a second
    /// axis, `secondaryName` (e.g. "val_psnr", linear scale) into a PNG.
    Result<void> writePlot(const std::string& path, const std::vector<std::string>& lossNames,
                           const std::string& secondaryName) const;

private:
    std::vector<HistoryEntry> m_entries;
};

/// Accumulates per-step values between log points.
class RunningMean
{
public:
    void add(const std::map<std::string, double>& values);
    /// The means since the last reset; empty when nothing was added.
    std::map<std::string, double> means() const;
    void reset()
    {
        m_sums.clear();
        m_count = 0;
    }
    int64_t count() const { return m_count; }

private:
    std::map<std::string, double> m_sums;
    int64_t m_count = 0;
};

} // namespace ldm::train
