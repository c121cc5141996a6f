// SPDX-License-Identifier: GPL-3.0-or-later
// The autoencoder trainer on a tiny model and landscape renders only (no photos needed):
// the loss falls, a stopped and resumed run equals an uninterrupted one, exports load.
#include "checkpoint/latent_diffusion.h"
#include "support/temp_dir.h"
#include "support/tiny_autoencoder_config.h"
#include "train/ae_eval.h"
#include "train/ae_loss.h"
#include "train/ae_trainer.h"
#include "train/image_crops.h"
#include "train/image_metrics.h"
#include "train/run_folder.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace ldm;
using namespace ldm::train;

namespace {

AeTrainConfig tinyConfig(int64_t steps = 30, int64_t refreshEvery = 0)
{
    auto json = ldm::testing::tinyAutoencoderConfig();
    json["training"]["steps"] = steps;
    json["data"]["landscape_refresh_every"] = refreshEvery;
    auto config = AeTrainConfig::fromJson(json);
    EXPECT_TRUE(config.ok()) << (config ? "" : config.error().message);
    return config.value();
}

AeTrainerOptions optionsFor(const std::string& runDir)
{
    AeTrainerOptions options;
    options.runDir = runDir;
    options.requirePhotos = false;
    return options;
}

std::unique_ptr<AeTrainer> makeTrainer(const AeTrainConfig& config, const std::string& runDir)
{
    auto trainer = AeTrainer::create(config, optionsFor(runDir));
    EXPECT_TRUE(trainer.ok()) << (trainer ? "" : trainer.error().message);
    return trainer ? std::move(trainer.value()) : nullptr;
}

double maxDifference(const FirstStage& a, const FirstStage& b)
{
    auto pa = io::stateDict(a.module());
    auto pb = io::stateDict(b.module());
    double worst = 0;
    for (const auto& [name, tensor] : pa)
        worst = std::max(worst, (tensor - pb.at(name)).abs().max().item<double>());
    return worst;
}

} // namespace

TEST(TrainAe, LossDecreasesOnLandscapes)
{
    ldm::testing::TempDir dir("tst_train_ae");
    auto trainer = makeTrainer(tinyConfig(), dir / "run");
    ASSERT_TRUE(trainer);
    const double before = trainer->heldOutPsnr();
    std::atomic<bool> stop{false};
    ASSERT_TRUE(trainer->run(stop, {}).ok());
    const auto& entries = trainer->history().entries();
    ASSERT_EQ(entries.size(), 6u);
    // Batches differ in difficulty, so compare the first and last thirds of the run.
    const double early = entries[0].values.at("loss") + entries[1].values.at("loss");
    const double late = entries[4].values.at("loss") + entries[5].values.at("loss");
    EXPECT_LT(late, 0.8 * early);
    EXPECT_GT(trainer->heldOutPsnr(), before + 1.0);
    EXPECT_TRUE(fs::exists(dir / "run/checkpoint/ema.safetensors"));
    EXPECT_TRUE(fs::exists(dir / "run/samples.png")); // the final step always samples
    EXPECT_TRUE(fs::exists(dir / "run/loss.png"));
}

TEST(TrainAe, ResumeEqualsUninterruptedRun)
{
    ldm::testing::TempDir dir("tst_train_ae");
    const auto config = tinyConfig(10, 3); // new renders mid-run must replay on resume too
    auto straight = makeTrainer(config, dir / "straight");
    ASSERT_TRUE(straight);
    std::atomic<bool> never{false};
    ASSERT_TRUE(straight->run(never, {}).ok());

    auto first = makeTrainer(config, dir / "split");
    ASSERT_TRUE(first);
    std::atomic<bool> stop{false};
    for (int i = 0; i < 6; ++i)
        ASSERT_TRUE(first->step().ok());
    ASSERT_TRUE(first->saveCheckpoint().ok());
    first.reset();
    auto second = AeTrainer::resume(optionsFor(dir / "split"));
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second.value()->completedSteps(), 6);
    ASSERT_TRUE(second.value()->run(stop, {}).ok());
    EXPECT_EQ(second.value()->completedSteps(), 10);
    EXPECT_EQ(maxDifference(straight->model(), second.value()->model()), 0.0);
    EXPECT_EQ(maxDifference(straight->shippedModel(), second.value()->shippedModel()), 0.0);
    EXPECT_FALSE(AeTrainer::create(config, optionsFor(dir / "split")).ok())
        << "a new run must not overwrite an existing one";
}

TEST(TrainAe, CheckpointsAtTheirOwnInterval)
{
    ldm::testing::TempDir dir("tst_train_ae");
    auto json = ldm::testing::tinyAutoencoderConfig();
    json["training"]["steps"] = 7;
    json["training"]["checkpoint_every"] = 3; // not a multiple of log_every (5)
    auto config = AeTrainConfig::fromJson(json);
    ASSERT_TRUE(config.ok());
    auto trainer = makeTrainer(*config, dir / "run");
    ASSERT_TRUE(trainer);
    std::vector<int64_t> checkpoints;
    std::atomic<bool> stop{false};
    ASSERT_TRUE(trainer
                    ->run(stop,
                          [&](const AeProgress& p) {
                              if (p.event.find("checkpoint") != std::string::npos)
                                  checkpoints.push_back(p.step);
                          })
                    .ok());
    EXPECT_EQ(checkpoints, (std::vector<int64_t>{3, 6, 7}));
}

TEST(TrainAe, ExportLoadsThroughLatentDiffusion)
{
    ldm::testing::TempDir dir("tst_train_ae");
    auto trainer = makeTrainer(tinyConfig(3), dir / "run");
    ASSERT_TRUE(trainer);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(trainer->run(stop, {}).ok());
    const std::string exported = dir / "ae-f16.safetensors";
    auto ok =
        convertAutoencoderFile(dir / "run/checkpoint/ema.safetensors", exported, torch::kFloat16);
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    auto model = LatentDiffusion::load(exported);
    ASSERT_TRUE(model.ok()) << model.error().message;
    ASSERT_TRUE(model->firstStage().has_value());
    EXPECT_EQ(model->parameterCount(), trainer->parameterCount());
    EXPECT_EQ(model->firstStage()->latentChannels(), 3);
    EXPECT_EQ(model->firstStage()->downFactor(), 4);
    // fp16 weights reconstruct like the fp32 EMA weights they came from.
    auto source = CropSource::create(trainer->config().data, 1, false);
    ASSERT_TRUE(source.ok());
    const auto crops = source->landscapeCrops(4, 32);
    const auto a = reconstructCrops(trainer->shippedModel(), crops);
    const auto b = reconstructCrops(*model->firstStage(), crops);
    for (size_t i = 0; i < crops.size(); ++i)
        EXPECT_GT(psnrRgb(a[i], b[i]), 35.0);
}

TEST(TrainAe, Bf16AutocastStepIsFinite)
{
    ldm::testing::TempDir dir("tst_train_ae");
    auto json = ldm::testing::tinyAutoencoderConfig();
    json["training"]["bf16"] = true;
    auto config = AeTrainConfig::fromJson(json);
    ASSERT_TRUE(config.ok());
    auto trainer = makeTrainer(*config, dir / "run");
    ASSERT_TRUE(trainer);
    for (int i = 0; i < 2; ++i)
        ASSERT_TRUE(trainer->step().ok());
    for (const auto& parameter : trainer->model().module().parameters())
        EXPECT_EQ(parameter.scalar_type(), torch::kFloat32);
}

TEST(TrainAe, BadInputGivesClearErrors)
{
    auto json = ldm::testing::tinyAutoencoderConfig();
    json["training"]["batchsize"] = 4;
    auto typo = AeTrainConfig::fromJson(json);
    ASSERT_FALSE(typo.ok());
    EXPECT_NE(typo.error().message.find("training.batchsize"), std::string::npos);

    ldm::testing::TempDir dir("tst_train_ae");
    auto options = optionsFor(dir / "run");
    options.requirePhotos = true;
    auto noPhotos = AeTrainer::create(tinyConfig(), options);
    ASSERT_FALSE(noPhotos.ok());
    EXPECT_NE(noPhotos.error().message.find("/nonexistent/photos"), std::string::npos);

    auto noRun = AeTrainer::resume(optionsFor(dir / "missing"));
    ASSERT_FALSE(noRun.ok());
    EXPECT_NE(noRun.error().message.find("no checkpoint"), std::string::npos);

    auto trainer = makeTrainer(tinyConfig(), dir / "corrupt");
    ASSERT_TRUE(trainer && trainer->saveCheckpoint().ok());
    trainer.reset();
    std::ofstream(dir / "corrupt/checkpoint/model.safetensors", std::ios::trunc) << "garbage";
    auto corrupt = AeTrainer::resume(optionsFor(dir / "corrupt"));
    ASSERT_FALSE(corrupt.ok());
    EXPECT_EQ(corrupt.error().code, ErrorCode::InvalidFile);
}

TEST(TrainAe, PhotoSplitFormats)
{
    ldm::testing::TempDir dir("tst_train_ae");
    fs::create_directories(dir / "photos");
    const cv::Mat image(80, 100, CV_8UC3, cv::Scalar(10, 120, 200));
    for (const char* name : {"a.png", "b.png", "c.png"})
        ASSERT_TRUE(cv::imwrite(dir / ("photos/" + std::string(name)), image));
    std::ofstream(dir / "photos/split.txt") << "# comment\ntrain a.png\nb.png\tval\n"
                                               "[train]\nc.png\nmissing.png\n";
    auto split = readPhotoSplit(dir / "photos");
    ASSERT_TRUE(split.ok());
    EXPECT_EQ(split->train.size(), 2u);
    ASSERT_EQ(split->val.size(), 1u);
    EXPECT_NE(split->val[0].find("b.png"), std::string::npos);
    EXPECT_EQ(split->warnings.size(), 1u);
    auto photos = loadHeldOutPhotos(dir / "photos", 64);
    ASSERT_TRUE(photos.ok());
    EXPECT_EQ(photos->front().rows, 64); // short side scaled to 64
    EXPECT_FALSE(readPhotoSplit(dir / "nothing").ok());
}

TEST(TrainAe, Metrics)
{
    cv::Mat image(64, 64, CV_8UC3);
    cv::randu(image, 0, 255);
    EXPECT_EQ(psnrRgb(image, image), 99.0);
    EXPECT_NEAR(ssimY(image, image), 1.0, 1e-9);
    cv::Mat shifted = image + cv::Scalar(4, 4, 4);
    EXPECT_LT(psnrRgb(image, shifted), 37.0);
    EXPECT_LT(ssimY(image, bicubicDownUp(image)), 0.9);
}
