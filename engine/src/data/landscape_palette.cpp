// SPDX-License-Identifier: GPL-3.0-or-later
// Palette of the landscape classes, colourised label maps and the contact sheet for review.
#include "data/landscape_generator.h"
#include "core/regular_file.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <sstream>
#include <vector>

namespace ldm::data {
namespace {

const char* const ClassNames[LandscapeClassCount] = {
    "sky", "cloud", "mountain", "snow", "rock", "water", "sand", "grass", "forest", "dirt"};

// Wraps text into lines that fit `maxWidth` pixels in the Hershey font.
std::vector<std::string> wrapText(const std::string& text, double scale, int maxWidth)
{
    std::vector<std::string> lines;
    std::istringstream words(text);
    std::string word;
    std::string line;
    int baseline = 0;
    while (words >> word) {
        const std::string candidate = line.empty() ? word : line + " " + word;
        const cv::Size size =
            cv::getTextSize(candidate, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
        if (size.width > maxWidth && !line.empty()) {
            lines.push_back(line);
            line = word;
        } else {
            line = candidate;
        }
    }
    if (!line.empty())
        lines.push_back(line);
    return lines;
}

} // namespace

const std::array<cv::Vec3b, LandscapeClassCount>& landscapePalette()
{
    // Same values as resources/palettes/landscape.json (tst_landscape checks it).
    static const std::array<cv::Vec3b, LandscapeClassCount> palette = {
        cv::Vec3b{0x87, 0xb8, 0xe8}, cv::Vec3b{0xe6, 0xe6, 0xf0}, cv::Vec3b{0x6e, 0x5a, 0x82},
        cv::Vec3b{0xff, 0xff, 0xff}, cv::Vec3b{0x7f, 0x7f, 0x7f}, cv::Vec3b{0x1e, 0x50, 0xc8},
        cv::Vec3b{0xe6, 0xd2, 0x8c}, cv::Vec3b{0x64, 0xc8, 0x3c}, cv::Vec3b{0x1e, 0x64, 0x28},
        cv::Vec3b{0x8c, 0x5a, 0x32},
    };
    return palette;
}

const char* landscapeClassName(LandscapeClass id)
{
    const auto i = static_cast<size_t>(id);
    return i < static_cast<size_t>(LandscapeClassCount) ? ClassNames[i] : "unknown";
}

cv::Mat labelsToColor(const cv::Mat& labels)
{
    if (labels.empty() || labels.type() != CV_8U)
        return {};
    const auto& palette = landscapePalette();
    cv::Mat out(labels.size(), CV_8UC3);
    for (int y = 0; y < labels.rows; ++y) {
        const auto* in = labels.ptr<uint8_t>(y);
        auto* px = out.ptr<cv::Vec3b>(y);
        for (int x = 0; x < labels.cols; ++x)
            px[x] = in[x] < LandscapeClassCount ? palette[in[x]] : cv::Vec3b{255, 0, 255};
    }
    return out;
}

Result<std::array<cv::Vec3b, LandscapeClassCount>> loadLandscapePalette(const std::string& path)
{
    const auto text = files::readRegular(path, 4ll << 20, "palette file");
    if (!text)
        return text.error();
    const nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.contains("classes") || !doc["classes"].is_array())
        return makeError(ErrorCode::InvalidFile, path + ": not a palette (no \"classes\" array)");
    std::array<cv::Vec3b, LandscapeClassCount> out{};
    std::array<bool, LandscapeClassCount> seen{};
    for (const auto& entry : doc["classes"]) {
        if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_number_integer() ||
            !entry.contains("color") || !entry["color"].is_string())
            return makeError(ErrorCode::InvalidFile, path + ": class entry without id/color");
        const int id = entry["id"].get<int>();
        const std::string hex = entry["color"].get<std::string>();
        if (id < 0 || id >= LandscapeClassCount || hex.size() != 7 || hex[0] != '#')
            return makeError(ErrorCode::InvalidFile, path + ": bad class id or colour " + hex);
        const unsigned long v = std::strtoul(hex.c_str() + 1, nullptr, 16);
        out[static_cast<size_t>(id)] =
            cv::Vec3b{static_cast<uint8_t>((v >> 16) & 0xff), static_cast<uint8_t>((v >> 8) & 0xff),
                      static_cast<uint8_t>(v & 0xff)};
        seen[static_cast<size_t>(id)] = true;
    }
    for (int i = 0; i < LandscapeClassCount; ++i) {
        if (!seen[static_cast<size_t>(i)])
            return makeError(ErrorCode::InvalidFile,
                             path + ": class " + std::to_string(i) + " missing");
    }
    return out;
}

Result<void> writeLandscapeSampleSheet(const LandscapeGenerator& generator, uint64_t firstSeed,
                                       int count, int cellSize, const std::string& path)
{
    if (count <= 0 || cellSize < LandscapeGenerator::MinSide || cellSize > 1024)
        return makeError(ErrorCode::InvalidRequest, "sample sheet needs count > 0 and a cell size "
                                                    "between 16 and 1024");
    constexpr int Columns = 4;
    constexpr int Gap = 6;
    constexpr double FontScale = 0.4;
    const int textHeight = 34;
    const int cellW = 2 * cellSize;
    const int cellH = cellSize + textHeight;
    const int rows = (count + Columns - 1) / Columns;
    const int cols = std::min(count, Columns);
    cv::Mat sheet(rows * (cellH + Gap) + Gap, cols * (cellW + Gap) + Gap, CV_8UC3,
                  cv::Scalar(24, 24, 24));
    for (int i = 0; i < count; ++i) {
        const LandscapeSample s =
            generator.generate(firstSeed + static_cast<uint64_t>(i), cellSize, cellSize);
        const int x0 = Gap + (i % Columns) * (cellW + Gap);
        const int y0 = Gap + (i / Columns) * (cellH + Gap);
        s.image.copyTo(sheet(cv::Rect(x0, y0, cellSize, cellSize)));
        labelsToColor(s.labels).copyTo(sheet(cv::Rect(x0 + cellSize, y0, cellSize, cellSize)));
        int ty = y0 + cellSize + 13;
        for (const std::string& line : wrapText(s.caption, FontScale, cellW - 4)) {
            if (ty > y0 + cellH)
                break;
            cv::putText(sheet, line, cv::Point(x0 + 2, ty), cv::FONT_HERSHEY_SIMPLEX, FontScale,
                        cv::Scalar(230, 230, 230), 1, cv::LINE_AA);
            ty += 15;
        }
    }
    cv::Mat bgr;
    cv::cvtColor(sheet, bgr, cv::COLOR_RGB2BGR);
    try {
        if (!cv::imwrite(path, bgr))
            return makeError(ErrorCode::InvalidFile, "cannot write " + path);
    } catch (const cv::Exception& e) {
        return makeError(ErrorCode::InvalidFile, "cannot write " + path + ": " + e.what());
    }
    return {};
}

} // namespace ldm::data
