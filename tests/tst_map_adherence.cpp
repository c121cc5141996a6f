// SPDX-License-Identifier: GPL-3.0-or-later
// The map-adherence classifier of eval-ldm: on real renders it must recover most of the map,
// against another scene's map it must not, and the scores must be exact on known inputs.
#include "data/landscape_generator.h"
#include "train/map_adherence.h"

#include <gtest/gtest.h>

namespace ldm::train {
namespace {

TEST(MapAdherence, ScoresAreExactOnKnownMaps)
{
    cv::Mat truth(4, 4, CV_8U, cv::Scalar(0));
    truth.rowRange(2, 4).setTo(5);
    AdherenceScore same;
    same.add(truth, truth);
    EXPECT_DOUBLE_EQ(same.pixelAccuracy(), 1.0);
    EXPECT_DOUBLE_EQ(same.meanIoU(), 1.0);
    cv::Mat half = truth.clone();
    half.rowRange(2, 3).setTo(0); // 4 of 8 water pixels called sky
    AdherenceScore score;
    score.add(half, truth);
    EXPECT_DOUBLE_EQ(score.pixelAccuracy(), 12.0 / 16.0);
    // sky: 8 / (8 + 12 - 8); water: 4 / (8 + 4 - 4)
    EXPECT_NEAR(score.meanIoU(), 0.5 * (8.0 / 12.0 + 4.0 / 8.0), 1e-12);
}

TEST(MapAdherence, ClassifierFollowsRealRendersAndNotOtherMaps)
{
    const data::LandscapeGenerator world;
    std::vector<cv::Mat> images, labels;
    for (uint64_t seed = 100; seed < 124; ++seed) {
        auto s = world.generate(seed, 64, 64);
        images.push_back(s.image);
        labels.push_back(s.labels);
    }
    const auto classifier = PixelClassClassifier::fit(images, labels);
    AdherenceScore own, other;
    std::vector<data::LandscapeSample> test;
    for (uint64_t seed = 900; seed < 912; ++seed)
        test.push_back(world.generate(seed, 64, 64));
    for (size_t i = 0; i < test.size(); ++i) {
        const cv::Mat predicted = classifier.classify(test[i].image);
        own.add(predicted, test[i].labels);
        other.add(predicted, test[(i + 1) % test.size()].labels);
    }
    std::printf("held-out renders: accuracy %.3f mIoU %.3f; other maps: %.3f %.3f\n",
                own.pixelAccuracy(), own.meanIoU(), other.pixelAccuracy(), other.meanIoU());
    EXPECT_GT(own.pixelAccuracy(), 0.55); // 0.62 measured at 64 px (0.85 at 128 px)
    EXPECT_LT(other.pixelAccuracy(), own.pixelAccuracy() - 0.2);
    EXPECT_GT(own.meanIoU(), 2.0 * other.meanIoU());
}

} // namespace
} // namespace ldm::train
