// SPDX-License-Identifier: GPL-3.0-or-later
// ControlNet: files that do not belong to the base are clear errors (another family, other
// widths, no control_model.* tensors, a truncated file); .pth and v1.0 files with a whole SD
// model load their control part; the residuals join the UNet as the reference adds them, with
// strength, guess mode and the start / end range; the recipe records it (JSON and A1111 text);
// and, with the shared fixtures, a controlled "paint" runs end to end through the engine.
#include "checkpoint/control_net_file.h"
#include "checkpoint/latent_diffusion.h"
#include "core/safetensors.h"
#include "ldm/engine.h"
#include "support/test_paths.h"
#include "support/tiny_models.h"
#include "unet/control_guidance.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace ldm {
namespace {

/// Equal up to float32 rounding relative to the tensor's largest value (batch 1 and batch 2 runs
/// of the same network may round differently).
bool closeRelative(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>() <= 1e-5 * b.abs().max().item<double>() + 1e-7;
}

class ControlNetFiles : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        s_dir = testing::makeTempDir("controlnet");
        for (const char* kind : {"sd1", "sd2"}) {
            s_files[kind] = testing::writeTinyModel(s_dir, kind);
            auto model = LatentDiffusion::load(s_files[kind]);
            ASSERT_TRUE(model.ok()) << model.error().message;
            s_bases[kind] = *model->config().unet;
        }
        s_control = writeControlNet("control.safetensors", s_bases["sd1"]);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(s_dir); }

    /// A random ControlNet for `base` as lllyasviel's files store it (float16).
    static std::string writeControlNet(const std::string& name, const UNetConfig& base,
                                       const io::TensorMap& extra = {})
    {
        auto net = makeControlNet(ControlNetConfig{base, 3});
        EXPECT_TRUE(net.ok());
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto& [key, value] : io::stateDict(**net, ControlNetPrefix))
            tensors.emplace_back(key, value.to(torch::kFloat16));
        for (const auto& [key, value] : extra)
            tensors.emplace_back(key, value);
        const std::string path = s_dir + "/" + name;
        EXPECT_TRUE(io::writeSafetensors(path, tensors, {{"format", "pt"}}).ok());
        return path;
    }

    static inline std::string s_dir;
    static inline std::map<std::string, UNetConfig> s_bases;
    static inline std::map<std::string, std::string> s_files;
    static inline std::string s_control;
};

TEST_F(ControlNetFiles, LoadsOntoItsBaseWithOneResidualPerSkipAndTheMiddle)
{
    auto net = loadControlNet(s_control, s_bases["sd1"], "Stable Diffusion 1.x");
    ASSERT_TRUE(net.ok()) << net.error().message;
    const UNetConfig& base = s_bases["sd1"];
    EXPECT_EQ((*net)->residualCount(), size_t(base.levels() * (base.numResBlocks + 1) + 1));
}

TEST_F(ControlNetFiles, AnotherFamilyOrWidthIsAClearMismatch)
{
    auto sd2 = loadControlNet(s_control, s_bases["sd2"], "Stable Diffusion 2.x");
    ASSERT_FALSE(sd2.ok());
    EXPECT_EQ(sd2.error().code, ErrorCode::WeightsMismatch);
    EXPECT_NE(sd2.error().message.find("does not belong to Stable Diffusion 2.x"),
              std::string::npos)
        << sd2.error().message;

    UNetConfig wider = s_bases["sd1"];
    wider.modelChannels *= 2;
    const std::string widerFile = writeControlNet("wider.safetensors", wider);
    auto wide = loadControlNet(widerFile, s_bases["sd1"], "Stable Diffusion 1.x");
    ASSERT_FALSE(wide.ok());
    EXPECT_EQ(wide.error().code, ErrorCode::WeightsMismatch);
    EXPECT_NE(wide.error().message.find("base width"), std::string::npos) << wide.error().message;
    EXPECT_NE(wide.error().message.find(widerFile), std::string::npos);
}

TEST_F(ControlNetFiles, FilesWithoutAControlNetOrCutShortAreRefused)
{
    auto model = loadControlNet(s_files["sd1"], s_bases["sd1"], "SD");
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(model.error().message.find("no control_model.* tensors"), std::string::npos)
        << model.error().message;

    std::ifstream in(s_control, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string truncated = s_dir + "/truncated.safetensors";
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    auto cut = loadControlNet(truncated, s_bases["sd1"], "SD");
    ASSERT_FALSE(cut.ok());
    EXPECT_EQ(cut.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(cut.error().message.find("truncated.safetensors"), std::string::npos);
}

TEST_F(ControlNetFiles, V10FilesAndPthCheckpointsLoadTheirControlPart)
{
    // A v1.0 file: the SD model it was trained on rides along and is ignored.
    auto sd = io::SafetensorsFile::open(s_files["sd1"]);
    ASSERT_TRUE(sd.ok());
    io::TensorMap whole;
    for (const auto& info : sd->tensors())
        whole[info.name] = sd->tensor(info.name).clone();
    const std::string v10 = writeControlNet("v10.safetensors", s_bases["sd1"], whole);
    auto fromV10 = loadControlNet(v10, s_bases["sd1"], "SD");
    EXPECT_TRUE(fromV10.ok()) << fromV10.error().message;

    // The same weights as a torch.save'd state dict (.pth), read by the restricted unpickler.
    auto control = io::SafetensorsFile::open(s_control);
    ASSERT_TRUE(control.ok());
    c10::Dict<std::string, at::Tensor> weights;
    for (const auto& info : control->tensors())
        weights.insert(info.name, control->tensor(info.name).clone());
    const std::vector<char> bytes = torch::pickle_save(weights);
    const std::string pth = s_dir + "/control.pth";
    std::ofstream(pth, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    auto fromPth = loadControlNet(pth, s_bases["sd1"], "SD");
    auto fromSafetensors = loadControlNet(s_control, s_bases["sd1"], "SD");
    ASSERT_TRUE(fromPth.ok()) << fromPth.error().message;
    ASSERT_TRUE(fromSafetensors.ok());
    const auto a = io::stateDict(**fromPth);
    const auto b = io::stateDict(**fromSafetensors);
    for (const auto& [key, value] : a)
        EXPECT_TRUE(torch::equal(value, b.at(key))) << key;
}

TEST_F(ControlNetFiles, ResidualsFollowStrengthGuessModeAndRange)
{
    torch::manual_seed(3);
    const UNetConfig& base = s_bases["sd1"];
    auto net = makeControlNet(ControlNetConfig{base, 3});
    ASSERT_TRUE(net.ok());
    {
        // Random weights everywhere (a trained net's zero convs are no longer zero).
        torch::NoGradGuard noGrad;
        for (auto& p : (*net)->parameters())
            p.normal_(0.0, 0.05);
    }
    c10::InferenceMode guard;
    auto unet = makeUNetModel(base);
    ASSERT_TRUE(unet.ok());
    const torch::Tensor x = torch::randn({2, base.inChannels, 8, 8});
    const torch::Tensor t = torch::full({2}, 501, torch::kLong);
    const torch::Tensor context = torch::randn({2, 5, *base.contextDim});

    ControlInput control;
    control.net = *net;
    control.hint = torch::rand({1, 3, 64, 64});
    const auto full = controlResiduals(control, x, t, context, true);
    ASSERT_EQ(full.size(), (*net)->residualCount());
    EXPECT_GT(full.front().abs().max().item<double>(), 0.0);
    const torch::Tensor plain = (*unet)->forward(x, t, context);
    EXPECT_FALSE(torch::allclose((*unet)->forward(x, t, context, {}, full), plain));

    control.strength = 0.5;
    const auto half = controlResiduals(control, x, t, context, true);
    for (size_t i = 0; i < full.size(); ++i)
        EXPECT_TRUE(closeRelative(half[i], full[i] * 0.5)) << i;

    control.strength = 1.0;
    control.guessMode = true;
    const auto guess = controlResiduals(control, x, t, context, true);
    const auto scales = controlScales(1.0, true, guess.size());
    EXPECT_DOUBLE_EQ(scales.front(), std::pow(0.825, 12.0));
    EXPECT_DOUBLE_EQ(scales.back(), std::pow(0.825, 12.0 - double(guess.size() - 1)));
    const auto sd1 = controlScales(0.5, true, 13); // SD-1.x: 12 skips + the middle block
    EXPECT_DOUBLE_EQ(sd1.back(), 0.5);
    EXPECT_DOUBLE_EQ(sd1[11], 0.5 * 0.825);
    for (size_t i = 0; i < guess.size(); ++i) {
        EXPECT_EQ(guess[i][0].abs().max().item<double>(), 0.0) << "unconditional half, " << i;
        EXPECT_TRUE(closeRelative(guess[i][1], full[i][1] * scales[i])) << i;
    }

    // Ten steps from t = 901 down to 1: the range 0.2..0.5 covers steps 2..5.
    control.guessMode = false;
    control.start = 0.2;
    control.end = 0.5;
    for (int step = 0; step < 10; ++step)
        control.timesteps.push_back(901 - 100 * step);
    for (int step = 0; step < 10; ++step)
        EXPECT_EQ(control.appliesAt(901 - 100 * step), step >= 2 && step <= 5) << step;
    const torch::Tensor late = torch::full({2}, int64_t{101}, torch::kLong);
    EXPECT_TRUE(controlResiduals(control, x, late, context, true).empty());
}

TEST(ControlRecipe, RoundTripsThroughJsonAndA1111Text)
{
    Recipe recipe;
    recipe.task = "paint";
    recipe.prompt = "a living room";
    recipe.control.model = "control_v11p_sd15_seg.pth";
    recipe.control.hash = "0123456789";
    recipe.control.hintHash = "abcdefabcd";
    recipe.control.strength = 0.75;
    recipe.control.start = 0.1;
    recipe.control.end = 0.9;
    recipe.control.guessMode = true;
    auto fromJson = recipeFromJson(toJson(recipe));
    ASSERT_TRUE(fromJson.ok()) << fromJson.error().message;
    EXPECT_EQ(fromJson->control, recipe.control);

    const std::string text = toA1111Parameters(recipe);
    EXPECT_NE(text.find("ControlNet 0: \"Module: none, Model: control_v11p_sd15_seg.pth "
                        "[0123456789], Weight: 0.75"),
              std::string::npos)
        << text;
    auto fromText = recipeFromA1111Parameters(text);
    ASSERT_TRUE(fromText.ok());
    EXPECT_EQ(fromText->control, recipe.control);

    Recipe plain;
    EXPECT_EQ(toA1111Parameters(plain).find("ControlNet"), std::string::npos);
    EXPECT_TRUE(toJson(plain)["control"].is_null());
}

TEST(ControlNetPalette, Ade20kPaletteHasTheSegmentationColours)
{
    // ControlNet's seg models read ADE20K colours; the palette must keep them exact and unique
    // (the canvas maps a colour back to one class).
    const auto path = testing::sourceDir() / "resources" / "palettes" / "ade20k.json";
    if (testing::sourceDir().empty())
        GTEST_SKIP() << "LDM_SOURCE_DIR is not set (ctest sets it)";
    std::ifstream in(path);
    const auto json = nlohmann::json::parse(in, nullptr, false);
    ASSERT_TRUE(json.is_object()) << path;
    const auto& classes = json.at("classes");
    EXPECT_EQ(classes.size(), 149u); // 150 minus skyscraper, which shares road's colour
    std::set<int> ids;
    std::set<std::string> colours;
    std::map<std::string, std::string> byName;
    for (const auto& entry : classes) {
        const int id = entry.at("id").get<int>();
        EXPECT_TRUE(id >= 0 && id < 150) << id;
        EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
        const std::string colour = entry.at("color").get<std::string>();
        EXPECT_TRUE(colours.insert(colour).second) << "duplicate colour " << colour;
        byName[entry.at("name").get<std::string>()] = colour;
    }
    EXPECT_EQ(byName["wall"], "#787878");
    EXPECT_EQ(byName["road"], "#8c8c8c");
    EXPECT_EQ(byName["sky"], "#06e6e6");
    EXPECT_EQ(byName["flag"], "#5c00ff");
}

/// A folder of the shared fixtures: under LDM_FIXTURES_DIR, else beside the parity folder.
std::filesystem::path sharedFixtures(const std::string& name)
{
    if (const char* root = std::getenv("LDM_FIXTURES_DIR"); root && *root)
        return std::filesystem::path(root) / name;
    if (const auto parity = testing::parityDir(); !parity.empty())
        return parity.parent_path() / name;
    return testing::sourceDir() / ".." / "shared" / "fixtures" / name;
}

/// The shared SD-1.x and ControlNet fixtures, or empty after a loud skip (CI: a failure).
std::pair<std::string, std::string> fixtureModels()
{
    const auto sd = sharedFixtures("sd1") / "sd1_tiny.safetensors";
    const auto control = sharedFixtures("controlnet") / "controlnet_tiny.safetensors";
    if (std::filesystem::is_regular_file(sd) && std::filesystem::is_regular_file(control))
        return {sd.string(), control.string()};
    const std::string why =
        "REFERENCE FIXTURES NOT FOUND: " + sd.string() + ", " + control.string();
    if (testing::fixturesRequired())
        ADD_FAILURE() << why << " (LDM_REQUIRE_FIXTURES=1)";
    else
        std::fprintf(stderr, "\n*** %s: the controlled paint test is SKIPPED ***\n\n", why.c_str());
    return {};
}

TEST(ControlNetEngine, PaintIsSteeredByTheMapAndRecordsTheControlNet)
{
    const auto [sd, controlFile] = fixtureModels();
    if (sd.empty())
        return;
    auto engine = Engine::create({});
    ASSERT_TRUE(engine.ok());
    ASSERT_TRUE((*engine)->loadModel(sd).ok());
    GenerateRequest request;
    request.recipe.task = "paint";
    request.recipe.prompt = "a living room";
    request.recipe.sampler = "ddim";
    request.recipe.steps = 3;
    request.recipe.width = request.recipe.height = 64;
    request.previewMode = PreviewMode::None;
    request.control.path = controlFile;
    request.control.hint.width = request.control.hint.height = 32; // resized to 64 x 64
    for (int i = 0; i < 32 * 32; ++i)
        for (uint8_t c : {uint8_t(i % 32 < 16 ? 120 : 4), uint8_t(120), uint8_t(i / 32 * 8)})
            request.control.hint.pixels.push_back(c);
    auto controlled = (*engine)->generate(request);
    ASSERT_TRUE(controlled.ok()) << controlled.error().message;
    EXPECT_EQ(controlled->image.width, 64);
    EXPECT_EQ(controlled->recipe.control.model, "controlnet_tiny.safetensors");
    EXPECT_EQ(controlled->recipe.control.hash.size(), 10u);
    EXPECT_FALSE(controlled->recipe.control.hintHash.empty());

    // Strength 0 adds exact zeros: the picture is the unsteered txt2img one.
    request.recipe.control.strength = 0.0;
    auto off = (*engine)->generate(request);
    ASSERT_TRUE(off.ok()) << off.error().message;
    GenerateRequest plainRequest = request;
    plainRequest.recipe.task = "txt2img";
    plainRequest.control = {};
    auto plain = (*engine)->generate(plainRequest);
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(off->image.pixels, plain->image.pixels);
    EXPECT_NE(controlled->image.pixels, plain->image.pixels);
    EXPECT_FALSE(plain->recipe.control.enabled());

    request.recipe.control.strength = 1.0;
    request.control.hint = {};
    auto noHint = (*engine)->generate(request);
    ASSERT_FALSE(noHint.ok());
    EXPECT_NE(noHint.error().message.find("control map"), std::string::npos);
    request.control.hint = controlled->image;
    request.recipe.task = "img2img";
    request.input = controlled->image;
    auto edit = (*engine)->generate(request);
    ASSERT_FALSE(edit.ok());
    EXPECT_NE(edit.error().message.find("steers txt2img and paint"), std::string::npos)
        << edit.error().message;
}

} // namespace
} // namespace ldm
