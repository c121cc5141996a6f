// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/train_log.h"

#include "train/image_metrics.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace ldm::train {

void LossHistory::add(int64_t step, std::map<std::string, double> values)
{
    if (!m_entries.empty() && m_entries.back().step >= step) {
        if (m_entries.back().step == step)
            for (auto& [name, value] : values)
                m_entries.back().values[name] = value;
        return;
    }
    m_entries.push_back({step, std::move(values)});
}

void LossHistory::annotate(int64_t step, const std::string& name, double value)
{
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it)
        if (it->step == step) {
            it->values[name] = value;
            return;
        }
    add(step, {{name, value}});
}

void LossHistory::truncateAfter(int64_t step)
{
    while (!m_entries.empty() && m_entries.back().step > step)
        m_entries.pop_back();
}

nlohmann::json LossHistory::toJson() const
{
    auto list = nlohmann::json::array();
    for (const auto& entry : m_entries) {
        nlohmann::json item = {{"step", entry.step}};
        for (const auto& [name, value] : entry.values)
            item[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
        list.push_back(std::move(item));
    }
    return list;
}

LossHistory LossHistory::fromJson(const nlohmann::json& json)
{
    LossHistory history;
    if (!json.is_array())
        return history;
    for (const auto& item : json) {
        if (!item.is_object() || !item.contains("step") || !item["step"].is_number_integer())
            continue;
        HistoryEntry entry;
        entry.step = item["step"].get<int64_t>();
        for (const auto& field : item.items())
            if (field.key() != "step" && field.value().is_number())
                entry.values[field.key()] = field.value().get<double>();
        history.add(entry.step, std::move(entry.values));
    }
    return history;
}

namespace {

struct Series
{
    std::vector<double> steps;
    std::vector<double> values;
};

Series seriesOf(const std::vector<HistoryEntry>& entries, const std::string& name, bool smooth)
{
    Series series;
    for (const auto& entry : entries)
        if (auto it = entry.values.find(name);
            it != entry.values.end() && std::isfinite(it->second)) {
            series.steps.push_back(double(entry.step));
            series.values.push_back(it->second);
        }
    if (smooth && series.values.size() > 20) {
        // A centred moving average over ~2 % of the points shows the trend through the noise.
        const size_t half = std::max<size_t>(1, series.values.size() / 100);
        std::vector<double> out(series.values.size());
        for (size_t i = 0; i < out.size(); ++i) {
            const size_t lo = i >= half ? i - half : 0;
            const size_t hi = std::min(out.size() - 1, i + half);
            double sum = 0;
            for (size_t j = lo; j <= hi; ++j)
                sum += series.values[j];
            out[i] = sum / double(hi - lo + 1);
        }
        series.values = std::move(out);
    }
    return series;
}

std::string shortNumber(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", value);
    return text;
}

} // namespace

Result<void> LossHistory::writePlot(const std::string& path,
                                    const std::vector<std::string>& lossNames,
                                    const std::string& secondaryName) const
{
    constexpr int Width = 960, Height = 480, Left = 70, Right = 70, Top = 30, Bottom = 50;
    cv::Mat canvas(Height, Width, CV_8UC3, cv::Scalar(255, 255, 255));
    const cv::Rect plot(Left, Top, Width - Left - Right, Height - Top - Bottom);
    cv::rectangle(canvas, plot, cv::Scalar(0, 0, 0), 1);
    const std::vector<cv::Scalar> colors = {
        {200, 60, 30}, {30, 140, 30}, {30, 90, 220}, {150, 40, 160}, {20, 160, 200}};
    std::vector<Series> losses;
    double minStep = std::numeric_limits<double>::max(), maxStep = 0;
    double minLog = std::numeric_limits<double>::max(), maxLog = -minLog;
    for (const auto& name : lossNames) {
        losses.push_back(seriesOf(m_entries, name, true));
        for (size_t i = 0; i < losses.back().values.size(); ++i) {
            const double v = losses.back().values[i];
            minStep = std::min(minStep, losses.back().steps[i]);
            maxStep = std::max(maxStep, losses.back().steps[i]);
            if (v > 0) {
                minLog = std::min(minLog, std::log10(v));
                maxLog = std::max(maxLog, std::log10(v));
            }
        }
    }
    const Series secondary = seriesOf(m_entries, secondaryName, false);
    for (double s : secondary.steps) {
        minStep = std::min(minStep, s);
        maxStep = std::max(maxStep, s);
    }
    const auto font = cv::FONT_HERSHEY_SIMPLEX;
    if (maxStep <= minStep)
        maxStep = minStep + 1;
    if (!(maxLog > minLog)) {
        minLog = (minLog < 1e300 ? minLog : 0) - 0.5;
        maxLog = minLog + 1;
    }
    minLog = std::floor(minLog * 4) / 4;
    maxLog = std::ceil(maxLog * 4) / 4;
    auto xOf = [&](double step) {
        return plot.x + int(std::lround((step - minStep) / (maxStep - minStep) * plot.width));
    };
    auto yOf = [&](double value, double lo, double hi) {
        return plot.y + plot.height - int(std::lround((value - lo) / (hi - lo) * plot.height));
    };
    for (int i = 0; i <= 4; ++i) {
        const double logValue = minLog + (maxLog - minLog) * i / 4.0;
        const int y = yOf(logValue, minLog, maxLog);
        cv::line(canvas, {plot.x, y}, {plot.x + plot.width, y}, cv::Scalar(225, 225, 225), 1);
        cv::putText(canvas, shortNumber(std::pow(10.0, logValue)), {4, y + 4}, font, 0.4,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
        const double step = minStep + (maxStep - minStep) * i / 4.0;
        cv::putText(canvas, std::to_string(int64_t(step)), {xOf(step) - 20, Height - Bottom + 18},
                    font, 0.4, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    cv::putText(canvas, "step", {Width / 2 - 15, Height - 10}, font, 0.45, cv::Scalar(0, 0, 0), 1,
                cv::LINE_AA);
    int legendX = plot.x + 8;
    for (size_t k = 0; k < losses.size(); ++k) {
        const auto& series = losses[k];
        const cv::Scalar color = colors[k % colors.size()];
        for (size_t i = 1; i < series.values.size(); ++i) {
            if (series.values[i - 1] <= 0 || series.values[i] <= 0)
                continue;
            cv::line(
                canvas,
                {xOf(series.steps[i - 1]), yOf(std::log10(series.values[i - 1]), minLog, maxLog)},
                {xOf(series.steps[i]), yOf(std::log10(series.values[i]), minLog, maxLog)}, color, 1,
                cv::LINE_AA);
        }
        const std::string label =
            lossNames[k] + (series.values.empty() ? "" : " " + shortNumber(series.values.back()));
        cv::putText(canvas, label, {legendX, Top - 10}, font, 0.45, color, 1, cv::LINE_AA);
        legendX += 14 + 9 * int(label.size());
    }
    if (!secondary.values.empty()) {
        double lo = *std::min_element(secondary.values.begin(), secondary.values.end());
        double hi = *std::max_element(secondary.values.begin(), secondary.values.end());
        lo = std::floor(lo - 0.5);
        hi = std::ceil(hi + 0.5);
        const cv::Scalar color(0, 0, 0);
        for (size_t i = 0; i < secondary.values.size(); ++i) {
            const cv::Point p{xOf(secondary.steps[i]), yOf(secondary.values[i], lo, hi)};
            cv::circle(canvas, p, 2, color, cv::FILLED, cv::LINE_AA);
            if (i > 0)
                cv::line(canvas,
                         {xOf(secondary.steps[i - 1]), yOf(secondary.values[i - 1], lo, hi)}, p,
                         color, 1, cv::LINE_AA);
        }
        for (int i = 0; i <= 4; ++i) {
            const double value = lo + (hi - lo) * i / 4.0;
            cv::putText(canvas, shortNumber(value),
                        {plot.x + plot.width + 6, yOf(value, lo, hi) + 4}, font, 0.4, color, 1,
                        cv::LINE_AA);
        }
        const std::string label = secondaryName + " " + shortNumber(secondary.values.back());
        cv::putText(canvas, label, {legendX, Top - 10}, font, 0.45, color, 1, cv::LINE_AA);
    }
    return writeRgbPng(path, canvas); // atomic, as every other output file
}

void RunningMean::add(const std::map<std::string, double>& values)
{
    for (const auto& [name, value] : values)
        m_sums[name] += value;
    ++m_count;
}

std::map<std::string, double> RunningMean::means() const
{
    std::map<std::string, double> out;
    if (m_count == 0)
        return out;
    for (const auto& [name, sum] : m_sums)
        out[name] = sum / double(m_count);
    return out;
}

} // namespace ldm::train
