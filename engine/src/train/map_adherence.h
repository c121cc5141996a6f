// SPDX-License-Identifier: GPL-3.0-or-later
// How well a generated landscape follows its semantic map. A per-pixel classifier (one
// Gaussian per class over blurred RGB and the row's height in the picture, fitted on renders
// of the procedural world) labels the generated image, and the labels are scored against the
// map that conditioned it. Scoring real renders gives the classifier's own ceiling, scoring
// against another scene's map gives the floor, so a model's numbers read between the two.
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <vector>

namespace ldm::train {

constexpr int AdherenceClasses = 10; ///< the landscape palette's classes

class PixelClassClassifier {
public:
    /// Fits the per-class Gaussians on (image, labels) pairs (CV_8UC3 RGB, CV_8U ids).
    static PixelClassClassifier fit(const std::vector<cv::Mat>& images,
                                    const std::vector<cv::Mat>& labels);
    /// The most likely class of every pixel of an RGB image (CV_8U ids).
    cv::Mat classify(const cv::Mat& image) const;

private:
    static constexpr int Features = 4; // blurred R, G, B (0..1) and row height (0..1)
    struct ClassModel {
        bool present = false;
        cv::Matx41d mean;
        cv::Matx44d inverseCovariance;
        double logNorm = 0; // log prior - log det / 2
    };
    std::array<ClassModel, AdherenceClasses> m_classes{};
};

/// Agreement of predicted ids with the map, summed over several images.
class AdherenceScore {
public:
    void add(const cv::Mat& predicted, const cv::Mat& truth);
    double pixelAccuracy() const;
    /// Mean IoU over the classes present in any truth map.
    double meanIoU() const;

private:
    std::array<std::array<double, AdherenceClasses>, AdherenceClasses> m_confusion{};
};

} // namespace ldm::train
