// SPDX-License-Identifier: GPL-3.0-or-later
// The latent diffusion trainer on a tiny hybrid model (text via cross-attention + class map via
// concat) over procedural landscapes and a random tiny first stage: the held-out loss falls,
// a stopped and resumed run equals an uninterrupted one, and the exported single file loads
// with LatentDiffusion::load and predicts exactly what the trainer's EMA networks predict.
#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "pipeline/latent_projection.h"
#include "support/temp_dir.h"
#include "tokenizer/tokenizer.h"
#include "train/ldm_data.h"
#include "train/ldm_model.h"
#include "train/ldm_trainer.h"
#include "train/run_folder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ldm;
using namespace ldm::train;

namespace {

const char* const TinyConfig = R"({
  "model": {"name": "tiny-hybrid", "conditioning": "hybrid", "concat": "map",
            "schedule": {"linear_start": 0.0015, "linear_end": 0.0155, "timesteps": 1000},
            "scale_factor": "auto", "scale_batches": 2, "map_stages": 2,
            "unet": {"model_channels": 32, "channel_mult": [1, 2], "num_res_blocks": 1,
                     "attention_resolutions": [2], "num_head_channels": 32,
                     "transformer_depth": 1},
            "text": {"n_embed": 32, "n_layer": 1, "heads": 2, "dim_head": 16,
                     "max_seq_len": 24}},
  "tokenizer": {"vocab_size": 120, "captions": 300, "caption_repeat": 1, "word_lists": []},
  "data": {"image_size": 32},
  "dropout": {"text": 0.2, "map": 0.2, "map_partial": 0.2},
  "optimizer": {"lr": 1e-3, "warmup_steps": 0, "schedule": "constant", "grad_clip": 1.0},
  "training": {"batch_size": 4, "steps": 20, "threads": 1, "bf16": false,
               "channels_last": false, "seed": 5, "ema_decay": 0.9, "log_every": 5,
               "sample_every": 0, "checkpoint_every": 1000, "snapshot_every": 0,
               "sample_steps": 2, "sample_columns": 2}
})";

/// A random f = 4 KL autoencoder and a 10-class palette, written once per test.
struct Fixture
{
    ldm::testing::TempDir dir{"tst_train_ldm"};
    std::string firstStage = dir / "ae.safetensors";
    std::string palette = dir / "palette.json";

    Fixture()
    {
        auto config = AutoencoderConfig::fromJson(nlohmann::json::parse(R"({"embed_dim": 4,
            "ddconfig": {"double_z": true, "z_channels": 4, "resolution": 32, "in_channels": 3,
                         "out_ch": 3, "ch": 32, "ch_mult": [1, 2, 4], "num_res_blocks": 1,
                         "attn_resolutions": [], "dropout": 0.0, "attn_type": "none"}})"));
        EXPECT_TRUE(config.ok());
        torch::manual_seed(3);
        auto stage = FirstStage::create(*config);
        EXPECT_TRUE(stage.ok());
        EXPECT_TRUE(saveAutoencoder(firstStage, *stage, torch::kFloat32, "tiny-ae").ok());
        nlohmann::json classes = nlohmann::json::array();
        for (int i = 0; i < 10; ++i)
            classes.push_back({{"id", i},
                               {"name", "class" + std::to_string(i)},
                               {"color", "#10203" + std::to_string(i)}});
        std::ofstream(palette) << nlohmann::json{{"classes", classes}}.dump();
    }

    LdmTrainConfig config(int64_t steps = 20) const
    {
        auto json = nlohmann::json::parse(TinyConfig);
        json["model"]["first_stage"] = firstStage;
        json["model"]["palette"] = palette;
        json["training"]["steps"] = steps;
        auto parsed = LdmTrainConfig::fromJson(json);
        EXPECT_TRUE(parsed.ok()) << (parsed ? "" : parsed.error().message);
        return parsed.value();
    }

    std::unique_ptr<LdmTrainer> create(const std::string& runDir, int64_t steps = 20) const
    {
        LdmTrainerOptions options;
        options.runDir = runDir;
        auto trainer = LdmTrainer::create(config(steps), options);
        EXPECT_TRUE(trainer.ok()) << (trainer ? "" : trainer.error().message);
        return trainer ? std::move(trainer.value()) : nullptr;
    }
};

io::TensorMap unetWeights(const LdmTrainer& trainer)
{
    return trainer.nets().stateDict(trainer.modelConfig());
}

} // namespace

TEST(LdmTrainConfig, RejectsTyposAndInconsistentConditioning)
{
    auto json = nlohmann::json::parse(TinyConfig);
    json["training"]["batch_sise"] = 4;
    auto typo = LdmTrainConfig::fromJson(json);
    ASSERT_FALSE(typo.ok());
    EXPECT_NE(typo.error().message.find("batch_sise"), std::string::npos);

    json = nlohmann::json::parse(TinyConfig);
    json["model"]["conditioning"] = "crossattn"; // but concat: map
    EXPECT_FALSE(LdmTrainConfig::fromJson(json).ok());
    json["model"]["conditioning"] = "adm";
    EXPECT_FALSE(LdmTrainConfig::fromJson(json).ok());
}

TEST(LdmData, OneHotUnknownIsZeroAndRectanglesErase)
{
    auto labels = torch::tensor({0, 3, int(UnknownClass), 9}, torch::kLong).view({1, 2, 2});
    auto hot = oneHotMap(labels, 10);
    ASSERT_EQ(hot.sizes(), (std::vector<int64_t>{1, 10, 2, 2}));
    EXPECT_EQ(hot.sum().item<float>(), 3.0f);
    EXPECT_EQ(hot[0].select(1, 1).select(1, 0).sum().item<float>(), 0.0f); // unknown pixel
    auto map = torch::zeros({16, 16}, torch::kLong);
    TrainRng rng(1);
    eraseRandomRectangle(map, rng);
    const auto erased = map.eq(UnknownClass).sum().item<int64_t>();
    EXPECT_GE(erased, 16);
    EXPECT_LT(erased, 256);
}

TEST(LdmTrainer, TrainsResumesAndExports)
{
    Fixture fixture;
    ldm::testing::TempDir runs("tst_train_ldm");

    // Uninterrupted: 20 steps; the held-out loss of the trained weights must fall.
    auto straight = fixture.create(runs / "straight");
    ASSERT_TRUE(straight);
    EXPECT_GT(straight->scaleFactor(), 0.0);
    EXPECT_GT(straight->textParameters(), 0);
    const double before = straight->heldOutLoss(2, false);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(straight->run(stop, {}).ok());
    const double after = straight->heldOutLoss(2, false);
    EXPECT_LT(after, 0.9 * before) << "held-out loss " << before << " -> " << after;
    ASSERT_FALSE(straight->history().entries().empty());

    // Interrupted after 10 steps, then resumed from the run folder to 20.
    {
        auto first = fixture.create(runs / "split", 10);
        ASSERT_TRUE(first);
        ASSERT_TRUE(first->run(stop, {}).ok());
        EXPECT_EQ(first->completedSteps(), 10);
    }
    LdmTrainerOptions options;
    options.runDir = runs / "split";
    options.steps = 20;
    auto resumed = LdmTrainer::resume(options);
    ASSERT_TRUE(resumed.ok()) << resumed.error().message;
    EXPECT_EQ(resumed.value()->completedSteps(), 10);
    EXPECT_DOUBLE_EQ(resumed.value()->scaleFactor(), straight->scaleFactor());
    ASSERT_TRUE(resumed.value()->run(stop, {}).ok());
    const auto a = unetWeights(*straight);
    const auto b = unetWeights(*resumed.value());
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, tensor] : a)
        ASSERT_TRUE(torch::equal(tensor, b.at(name))) << name << " differs after resume";

    // Sample grid and export.
    ASSERT_TRUE(straight->writeSamples().ok());
    EXPECT_TRUE(fs::exists(runs / "straight/samples.png"));
    EXPECT_TRUE(fs::exists(runs / "straight/loss.png"));
    const std::string exported = runs / "export/tiny.safetensors";
    ASSERT_TRUE(straight->exportCheckpoint(exported, torch::kFloat32).ok());
    ASSERT_TRUE(
        straight->exportCheckpoint(runs / "export/tiny16.safetensors", torch::kFloat16).ok());
    auto model = LatentDiffusion::load(exported);
    ASSERT_TRUE(model.ok()) << model.error().message;
    EXPECT_TRUE(model->usesEma());
    EXPECT_EQ(model->config().conditioningKey, ConditioningKey::Hybrid);
    EXPECT_EQ(model->config().classes.size(), 10u);
    EXPECT_EQ(model->config().name, "tiny-hybrid");
    EXPECT_NEAR(model->scaleFactor(), straight->scaleFactor(), 1e-6);
    const fs::path tokenizerPath = fs::path(exported).parent_path() / model->config().tokenizer;
    auto tokenizer = Tokenizer::load(tokenizerPath.string());
    ASSERT_TRUE(tokenizer.ok()) << tokenizerPath;
    auto file = io::SafetensorsFile::open(exported);
    ASSERT_TRUE(file.ok());
    EXPECT_TRUE(file->contains("model_ema.diffusion_modelinput_blocks00weight"));
    EXPECT_TRUE(file->contains("first_stage_model.decoder.conv_out.weight"));
    EXPECT_TRUE(file->contains("cond_stage_model.transformer.token_emb.weight"));
    EXPECT_TRUE(file->contains("alphas_cumprod"));
    // The preview projection, fitted on the run's own images, travels with the model.
    ASSERT_TRUE(file->contains(LatentProjection::TensorName));
    const auto projection = file->tensor(LatentProjection::TensorName);
    EXPECT_EQ(projection.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(LatentProjection::fromMatrix(projection, 4).valid());
    EXPECT_TRUE(torch::isfinite(projection).all().item<bool>());

    // The loaded model predicts what the trainer's EMA networks predict.
    torch::NoGradGuard noGrad;
    torch::manual_seed(11);
    const auto zt = torch::randn({2, 4, 8, 8});
    const auto t = torch::tensor({10, 900}, torch::kLong);
    const auto tokens =
        torch::tensor(tokenizer->encode("a green meadow", 24)).view({1, 24}).repeat({2, 1});
    auto labels = torch::randint(0, 10, {2, 32, 32}, torch::kLong);
    auto loaded = model->unet();
    auto text = model->textEncoder();
    auto rescaler = model->rescaler();
    const auto concat = rescaler->forward(oneHotMap(labels, 10));
    const auto eps = loaded->forward(torch::cat({zt, concat}, 1), t, text->forward(tokens));
    LdmNets emaNets;
    {
        auto tensors = io::SafetensorsFile::open(runs / "straight/checkpoint/ema.safetensors");
        ASSERT_TRUE(tensors.ok());
        auto built = LdmNets::create(straight->modelConfig());
        ASSERT_TRUE(built.ok());
        emaNets = built.value();
        io::TensorMap map;
        for (const auto& info : tensors->tensors())
            map[info.name] = tensors->tensor(info.name);
        ASSERT_TRUE(emaNets.load(straight->modelConfig(), map).ok());
    }
    emaNets.setTraining(false);
    const LdmCond cond{tokens, mapConcat(emaNets, oneHotMap(labels, 10))};
    const auto reference = predictNoise(emaNets, zt, t, cond);
    EXPECT_TRUE(torch::allclose(eps, reference, 1e-5, 1e-5));

    // The EMA-only (shipping) export holds the EMA UNet under the plain names and predicts
    // exactly what the full export's EMA weights predict, in less space.
    const std::string emaOnly = runs / "export/tiny-ema.safetensors";
    ASSERT_TRUE(straight->exportCheckpoint(emaOnly, torch::kFloat32, true).ok());
    auto shipped = LatentDiffusion::load(emaOnly);
    ASSERT_TRUE(shipped.ok()) << shipped.error().message;
    EXPECT_FALSE(shipped->usesEma());
    auto shippedFile = io::SafetensorsFile::open(emaOnly);
    ASSERT_TRUE(shippedFile.ok());
    EXPECT_FALSE(shippedFile->contains("model_ema.diffusion_modelinput_blocks00weight"));
    EXPECT_LT(fs::file_size(emaOnly), fs::file_size(exported));
    const auto shippedEps = shipped->unet()->forward(torch::cat({zt, concat}, 1), t,
                                                     shipped->textEncoder()->forward(tokens));
    EXPECT_TRUE(torch::equal(shippedEps, eps));
}
