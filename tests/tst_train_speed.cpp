// SPDX-License-Identifier: GPL-3.0-or-later
// The trainers' fast path keeps training correct: prefetched batches equal the ones a step
// makes itself, channels-last batches hold the same values, bf16 autocast + channels-last
// lowers the loss like the fp32 path, and --profile measures something.
#include "support/temp_dir.h"
#include "support/tiny_autoencoder_config.h"
#include "train/ae_trainer.h"
#include "train/batch_prefetcher.h"
#include "train/image_crops.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;
using namespace ldm;
using namespace ldm::train;

namespace {

AeTrainConfig configWith(bool fast)
{
    auto json = ldm::testing::tinyAutoencoderConfig();
    json["data"]["landscape_refresh_every"] = 2;
    json["training"]["steps"] = 40;
    json["training"]["log_every"] = 10;
    json["training"]["ema_decay"] = 0;
    json["training"]["bf16"] = fast;
    json["training"]["channels_last"] = fast;
    auto config = AeTrainConfig::fromJson(json);
    EXPECT_TRUE(config.ok()) << (config ? "" : config.error().message);
    return config.value();
}

std::unique_ptr<AeTrainer> makeTrainer(const AeTrainConfig& config, const std::string& runDir,
                                       bool prefetch)
{
    AeTrainerOptions options;
    options.runDir = runDir;
    options.requirePhotos = false;
    options.prefetch = prefetch;
    auto trainer = AeTrainer::create(config, options);
    EXPECT_TRUE(trainer.ok()) << (trainer ? "" : trainer.error().message);
    return trainer ? std::move(trainer.value()) : nullptr;
}

double maxDifference(const FirstStage& a, const FirstStage& b)
{
    auto pa = a.module().named_parameters();
    auto pb = b.module().named_parameters();
    double worst = 0;
    for (const auto& item : pa)
        worst = std::max(worst, (item.value() - pb[item.key()]).abs().max().item<double>());
    return worst;
}

} // namespace

TEST(BatchPrefetcher, FollowsTheTrainerAndRestartsOutOfOrder)
{
    BatchPrefetcher<int64_t> prefetcher([](int64_t step) {
        if (step == 7)
            throw std::runtime_error("no batch 7");
        return step * 10;
    });
    EXPECT_EQ(prefetcher.take(3), 30); // a resumed run starts anywhere
    EXPECT_EQ(prefetcher.take(4), 40);
    EXPECT_EQ(prefetcher.take(5), 50);
    EXPECT_EQ(prefetcher.take(2), 20); // out of order: restarts there
    EXPECT_EQ(prefetcher.take(3), 30);
    EXPECT_THROW(prefetcher.take(7), std::runtime_error);
    EXPECT_EQ(prefetcher.take(8), 80); // a failed batch does not stop the stream
}

TEST(TrainFastPath, ChannelsLastBatchHoldsTheSameValues)
{
    auto source = CropSource::create(configWith(false).data, 1, false);
    ASSERT_TRUE(source.ok());
    const auto crops = source->landscapeCrops(3, 32);
    const auto plain = cropsToTensor(crops);
    const auto channelsLast = cropsToTensor(crops, true);
    EXPECT_TRUE(plain.is_contiguous());
    EXPECT_TRUE(channelsLast.is_contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(torch::equal(plain, channelsLast));
    EXPECT_FLOAT_EQ(plain[1][2][3][4].item<float>(), float(crops[1].at<cv::Vec3b>(3, 4)[2]) / 127.5f - 1.f);
    const auto back = tensorToCrops(channelsLast);
    for (size_t i = 0; i < crops.size(); ++i)
        EXPECT_EQ(cv::norm(back[i], crops[i], cv::NORM_INF), 0.0);
}

TEST(TrainFastPath, PrefetchedBatchesEqualTheStepsOwn)
{
    ldm::testing::TempDir dir("tst_train_speed");
    const auto config = configWith(false); // fp32 and one thread: bit-exact
    auto inStep = makeTrainer(config, dir / "in-step", false);
    auto ahead = makeTrainer(config, dir / "ahead", true);
    ASSERT_TRUE(inStep && ahead);
    for (int i = 0; i < 7; ++i) { // crosses three landscape pool refreshes
        ASSERT_TRUE(inStep->step().ok());
        ASSERT_TRUE(ahead->step().ok());
    }
    EXPECT_EQ(maxDifference(inStep->model(), ahead->model()), 0.0);
}

TEST(TrainFastPath, Bf16ChannelsLastLowersTheLossLikeFp32)
{
    ldm::testing::TempDir dir("tst_train_speed");
    std::vector<double> early, late, psnr;
    for (bool fast : {false, true}) {
        auto trainer = makeTrainer(configWith(fast), dir / (fast ? "fast" : "fp32"), fast);
        ASSERT_TRUE(trainer);
        std::atomic<bool> stop{false};
        ASSERT_TRUE(trainer->run(stop, {}).ok());
        const auto& entries = trainer->history().entries();
        ASSERT_EQ(entries.size(), 4u);
        early.push_back(entries[0].values.at("loss"));
        late.push_back(entries[3].values.at("loss"));
        psnr.push_back(trainer->heldOutPsnr());
        for (const auto& parameter : trainer->model().module().parameters())
            EXPECT_EQ(parameter.scalar_type(), torch::kFloat32) << "master weights stay fp32";
    }
    EXPECT_LT(late[0], 0.8 * early[0]);
    EXPECT_LT(late[1], 0.8 * early[1]);
    // Same init and batches: bf16 rounding may move the curve a little, not change it.
    EXPECT_NEAR(late[1], late[0], 0.1 * late[0]);
    EXPECT_NEAR(psnr[1], psnr[0], 1.0);
}

TEST(TrainFastPath, ProfileMeasuresPhasesOperatorsAndFlops)
{
    ldm::testing::TempDir dir("tst_train_speed");
    auto trainer = makeTrainer(configWith(true), dir / "run", true);
    ASSERT_TRUE(trainer);
    auto profile = trainer->profile(2);
    ASSERT_TRUE(profile.ok()) << profile.error().message;
    EXPECT_EQ(trainer->completedSteps(), 5); // 2 warm-up + 2 timed + 1 under the profiler
    EXPECT_GT(profile->perStep.forward, 0);
    EXPECT_GT(profile->perStep.backward, 0);
    EXPECT_GT(profile->trainedForwardFlops, 1e6);
    EXPECT_GT(profile->gflopsPerSecond(), 0);
    EXPECT_DOUBLE_EQ(profile->pixelsPerSecond(), 4 * 32 * 32 * profile->stepsPerSecond());
    ASSERT_FALSE(profile->ops.empty());
    EXPECT_NE(profile->report().find("GFLOP/s"), std::string::npos);
}
