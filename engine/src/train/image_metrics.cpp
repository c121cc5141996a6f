// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/image_metrics.h"

#include "io/image_files.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace ldm::train {
namespace {

cv::Mat lumaOf(const cv::Mat& rgb)
{
    cv::Mat floats;
    rgb.convertTo(floats, CV_64FC3);
    cv::Mat y(rgb.rows, rgb.cols, CV_64F);
    for (int r = 0; r < rgb.rows; ++r)
        for (int c = 0; c < rgb.cols; ++c) {
            const auto& p = floats.at<cv::Vec3d>(r, c);
            y.at<double>(r, c) = 16.0 + (65.481 * p[0] + 128.553 * p[1] + 24.966 * p[2]) / 255.0;
        }
    return y;
}

double psnrOf(const cv::Mat& a, const cv::Mat& b)
{
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    diff = diff.mul(diff);
    const cv::Scalar sums = cv::sum(diff);
    const double mse = (sums[0] + sums[1] + sums[2] + sums[3]) / double(a.total() * a.channels());
    return mse <= 1e-10 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

} // namespace

double psnrRgb(const cv::Mat& a, const cv::Mat& b)
{
    cv::Mat fa, fb;
    a.convertTo(fa, CV_64FC3);
    b.convertTo(fb, CV_64FC3);
    return psnrOf(fa, fb);
}

double psnrY(const cv::Mat& a, const cv::Mat& b)
{
    return psnrOf(lumaOf(a), lumaOf(b));
}

double ssimY(const cv::Mat& a, const cv::Mat& b)
{
    const cv::Mat x = lumaOf(a), y = lumaOf(b);
    constexpr double C1 = (0.01 * 255) * (0.01 * 255), C2 = (0.03 * 255) * (0.03 * 255);
    // Valid region only (as the reference implementation's 'valid' filter), so no padding
    // effects; small crops still keep (H−10)·(W−10) windows.
    auto blur = [](const cv::Mat& in) {
        cv::Mat out;
        cv::GaussianBlur(in, out, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REFLECT);
        const int m = 5;
        return cv::Mat(
            out(cv::Rect(m, m, std::max(1, in.cols - 2 * m), std::max(1, in.rows - 2 * m))));
    };
    const cv::Mat muX = blur(x), muY = blur(y);
    const cv::Mat muX2 = muX.mul(muX), muY2 = muY.mul(muY), muXY = muX.mul(muY);
    const cv::Mat sigX2 = blur(x.mul(x)) - muX2;
    const cv::Mat sigY2 = blur(y.mul(y)) - muY2;
    const cv::Mat sigXY = blur(x.mul(y)) - muXY;
    cv::Mat numerator = (2 * muXY + C1).mul(2 * sigXY + C2);
    cv::Mat denominator = (muX2 + muY2 + C1).mul(sigX2 + sigY2 + C2);
    cv::Mat map;
    cv::divide(numerator, denominator, map);
    return cv::mean(map)[0];
}

cv::Mat bicubicDownUp(const cv::Mat& image, int factor)
{
    cv::Mat small, up;
    cv::resize(image, small, cv::Size(image.cols / factor, image.rows / factor), 0, 0,
               cv::INTER_CUBIC);
    cv::resize(small, up, image.size(), 0, 0, cv::INTER_CUBIC);
    return up;
}

cv::Mat areaDownBicubicUp(const cv::Mat& image, int factor)
{
    cv::Mat small, up;
    cv::resize(image, small, cv::Size(image.cols / factor, image.rows / factor), 0, 0,
               cv::INTER_AREA);
    cv::resize(small, up, image.size(), 0, 0, cv::INTER_CUBIC);
    return up;
}

QualityStats measureQuality(const std::vector<cv::Mat>& originals,
                            const std::vector<cv::Mat>& reconstructions)
{
    QualityStats stats;
    const size_t n = std::min(originals.size(), reconstructions.size());
    for (size_t i = 0; i < n; ++i) {
        stats.psnrRgb += psnrRgb(originals[i], reconstructions[i]);
        stats.psnrY += psnrY(originals[i], reconstructions[i]);
        stats.ssimY += ssimY(originals[i], reconstructions[i]);
    }
    stats.count = n;
    if (n) {
        stats.psnrRgb /= double(n);
        stats.psnrY /= double(n);
        stats.ssimY /= double(n);
    }
    return stats;
}

cv::Mat makeGrid(const std::vector<std::vector<cv::Mat>>& rows,
                 const std::vector<std::string>& rowLabels, int zoom)
{
    constexpr int Pad = 4, LabelWidth = 90;
    int cell = 0;
    size_t columns = 0;
    for (const auto& row : rows) {
        columns = std::max(columns, row.size());
        for (const auto& image : row)
            cell = std::max({cell, image.cols * zoom, image.rows * zoom});
    }
    if (rows.empty() || columns == 0)
        return cv::Mat(8, 8, CV_8UC3, cv::Scalar(96, 96, 96));
    cv::Mat grid(int(rows.size()) * (cell + Pad) + Pad,
                 LabelWidth + int(columns) * (cell + Pad) + Pad, CV_8UC3, cv::Scalar(96, 96, 96));
    for (size_t r = 0; r < rows.size(); ++r) {
        const int y = Pad + int(r) * (cell + Pad);
        if (r < rowLabels.size())
            cv::putText(grid, rowLabels[r], {6, y + cell / 2 + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
                        cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
        for (size_t c = 0; c < rows[r].size(); ++c) {
            cv::Mat scaled;
            cv::resize(rows[r][c], scaled, cv::Size(), zoom, zoom, cv::INTER_NEAREST);
            const int x = LabelWidth + Pad + int(c) * (cell + Pad);
            scaled.copyTo(grid(cv::Rect(x, y, scaled.cols, scaled.rows)));
        }
    }
    return grid;
}

// Through the writer `generate --out` uses (io/image_files.h): a temporary file renamed
// over the target, so a crash or a full disk mid-write leaves the previous picture, never half
// a PNG, and a link or FIFO planted at the path is refused rather than followed.
Result<void> writeRgbPng(const std::string& path, const cv::Mat& rgb)
{
    if (rgb.type() != CV_8UC3 || rgb.empty())
        return makeError(ErrorCode::Internal,
                         "cannot write " + path + ": not an 8-bit RGB picture");
    const cv::Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
    RgbImage image;
    image.width = continuous.cols;
    image.height = continuous.rows;
    image.pixels.assign(continuous.data, continuous.data + continuous.total() * 3);
    return writePng(path, image);
}

} // namespace ldm::train
