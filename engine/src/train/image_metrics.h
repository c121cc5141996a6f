// SPDX-License-Identifier: GPL-3.0-or-later
// Image quality numbers (PSNR, SSIM) and picture grids for judging autoencoders.
// Images are CV_8UC3 RGB of equal size.
#pragma once

#include "ldm/result.h"

#include <opencv2/core.hpp>

#include <string>
#include <vector>

namespace ldm::train {

/// PSNR (dB) over all three RGB channels, 8-bit peak; 99 for identical images.
double psnrRgb(const cv::Mat& a, const cv::Mat& b);
/// PSNR (dB) of the luma Y (ITU-R BT.601, studio range as Matlab's rgb2ycbcr), as SR papers use.
double psnrY(const cv::Mat& a, const cv::Mat& b);
/// SSIM of the luma Y (Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03).
double ssimY(const cv::Mat& a, const cv::Mat& b);

/// 4× down then up with bicubic (no antialiasing), the classic baseline of an f = 4 code.
cv::Mat bicubicDownUp(const cv::Mat& image, int factor = 4);
/// 4× down with area averaging, then bicubic up (a stronger baseline).
cv::Mat areaDownBicubicUp(const cv::Mat& image, int factor = 4);

/// Mean quality of a set of reconstructions against their originals.
struct QualityStats
{
    double psnrRgb = 0;
    double psnrY = 0;
    double ssimY = 0;
    size_t count = 0;
};
/// Averages the per-image numbers (mean of per-crop PSNR, as the reference measurements do).
QualityStats measureQuality(const std::vector<cv::Mat>& originals,
                            const std::vector<cv::Mat>& reconstructions);

/// Lays rows of equally sized images out on a grey grid, each image scaled by `zoom`
/// (nearest neighbour, so pixels stay visible) with `rowLabels` written left of each row.
cv::Mat makeGrid(const std::vector<std::vector<cv::Mat>>& rows,
                 const std::vector<std::string>& rowLabels, int zoom);

/// Writes an RGB image as PNG (converting to OpenCV's BGR order).
Result<void> writeRgbPng(const std::string& path, const cv::Mat& rgb);

} // namespace ldm::train
