// SPDX-License-Identifier: GPL-3.0-or-later
#include "train/map_adherence.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <limits>

namespace ldm::train {
namespace {

// Blurring first makes film grain and dithering irrelevant; 5 px at 128 px keeps edges.
cv::Mat blurredFloat(const cv::Mat& image)
{
    cv::Mat f;
    image.convertTo(f, CV_64FC3, 1.0 / 255.0);
    cv::GaussianBlur(f, f, cv::Size(5, 5), 0);
    return f;
}

cv::Matx41d featureAt(const cv::Mat& blurred, int y, int x)
{
    const cv::Vec3d rgb = blurred.at<cv::Vec3d>(y, x);
    return {rgb[0], rgb[1], rgb[2], (y + 0.5) / blurred.rows};
}

} // namespace

PixelClassClassifier PixelClassClassifier::fit(const std::vector<cv::Mat>& images,
                                               const std::vector<cv::Mat>& labels)
{
    std::array<cv::Matx41d, AdherenceClasses> sum{};
    std::array<cv::Matx44d, AdherenceClasses> outer{};
    std::array<double, AdherenceClasses> count{};
    double total = 0;
    for (size_t i = 0; i < images.size() && i < labels.size(); ++i) {
        const cv::Mat blurred = blurredFloat(images[i]);
        for (int y = 0; y < blurred.rows; ++y)
            for (int x = 0; x < blurred.cols; ++x) {
                const int c = labels[i].at<uint8_t>(y, x);
                if (c >= AdherenceClasses)
                    continue;
                const cv::Matx41d f = featureAt(blurred, y, x);
                sum[size_t(c)] += f;
                outer[size_t(c)] += f * f.t();
                count[size_t(c)] += 1;
                total += 1;
            }
    }
    PixelClassClassifier classifier;
    for (int c = 0; c < AdherenceClasses; ++c) {
        ClassModel& m = classifier.m_classes[size_t(c)];
        const double n = count[size_t(c)];
        if (n < 16)
            continue; // too few pixels to fit a covariance; the class is never predicted
        m.present = true;
        m.mean = sum[size_t(c)] * (1.0 / n);
        cv::Matx44d covariance = outer[size_t(c)] * (1.0 / n) - m.mean * m.mean.t();
        for (int k = 0; k < Features; ++k)
            covariance(k, k) += 1e-4; // a flat-coloured class must not give a singular matrix
        m.inverseCovariance = covariance.inv(cv::DECOMP_CHOLESKY);
        m.logNorm = std::log(n / total) - 0.5 * std::log(cv::determinant(covariance));
    }
    return classifier;
}

cv::Mat PixelClassClassifier::classify(const cv::Mat& image) const
{
    const cv::Mat blurred = blurredFloat(image);
    cv::Mat ids(image.rows, image.cols, CV_8U, cv::Scalar(0));
    for (int y = 0; y < blurred.rows; ++y)
        for (int x = 0; x < blurred.cols; ++x) {
            const cv::Matx41d f = featureAt(blurred, y, x);
            double best = -std::numeric_limits<double>::infinity();
            for (int c = 0; c < AdherenceClasses; ++c) {
                const ClassModel& m = m_classes[size_t(c)];
                if (!m.present)
                    continue;
                const cv::Matx41d d = f - m.mean;
                const double score = m.logNorm - 0.5 * (d.t() * m.inverseCovariance * d)(0, 0);
                if (score > best) {
                    best = score;
                    ids.at<uint8_t>(y, x) = uint8_t(c);
                }
            }
        }
    return ids;
}

void AdherenceScore::add(const cv::Mat& predicted, const cv::Mat& truth)
{
    CV_Assert(predicted.size() == truth.size() && predicted.type() == CV_8U &&
              truth.type() == CV_8U);
    for (int y = 0; y < truth.rows; ++y)
        for (int x = 0; x < truth.cols; ++x) {
            const int t = truth.at<uint8_t>(y, x);
            const int p = predicted.at<uint8_t>(y, x);
            if (t < AdherenceClasses && p < AdherenceClasses)
                m_confusion[size_t(t)][size_t(p)] += 1;
        }
}

double AdherenceScore::pixelAccuracy() const
{
    double correct = 0, total = 0;
    for (int t = 0; t < AdherenceClasses; ++t)
        for (int p = 0; p < AdherenceClasses; ++p) {
            total += m_confusion[size_t(t)][size_t(p)];
            correct += t == p ? m_confusion[size_t(t)][size_t(p)] : 0;
        }
    return total > 0 ? correct / total : 0;
}

double AdherenceScore::meanIoU() const
{
    double sum = 0;
    int classes = 0;
    for (int c = 0; c < AdherenceClasses; ++c) {
        double truthCount = 0, predictedCount = 0;
        for (int k = 0; k < AdherenceClasses; ++k) {
            truthCount += m_confusion[size_t(c)][size_t(k)];
            predictedCount += m_confusion[size_t(k)][size_t(c)];
        }
        if (truthCount == 0)
            continue;
        const double intersection = m_confusion[size_t(c)][size_t(c)];
        sum += intersection / (truthCount + predictedCount - intersection);
        ++classes;
    }
    return classes > 0 ? sum / classes : 0;
}

} // namespace ldm::train
