// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile files found by the fuzzers and the loaders' remaining gaps: PNG chunks whose length
// fields claim more than the file holds (libpng allocated the claimed length first: 1.8 GB for
// a 225-byte file), checkpoint tensors with an empty dimension (no bytes in the file, any size
// in the other dimensions), ControlNets whose level widths differ from the base, and the x4
// upscaler given a config that does not describe its weights. Each must be a clear error,
// promptly, before any network is built.
#include "checkpoint/control_net_file.h"
#include "checkpoint/latent_diffusion.h"
#include "core/ckpt_file.h"
#include "core/safetensors.h"
#include "io/image_files.h"
#include "support/test_paths.h"
#include "support/tiny_models.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ldm {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

/// Offset of the first chunk of `type` in a PNG, or 0.
size_t chunkOffset(const std::vector<uint8_t>& png, const char* type)
{
    for (size_t offset = 8; offset + 8 <= png.size();) {
        const uint32_t length = (uint32_t(png[offset]) << 24) | (uint32_t(png[offset + 1]) << 16) |
                                (uint32_t(png[offset + 2]) << 8) | png[offset + 3];
        if (std::memcmp(png.data() + offset + 4, type, 4) == 0)
            return offset;
        offset += 12 + size_t(length);
    }
    return 0;
}

class HostileModels : public ::testing::Test
{
protected:
    static void SetUpTestSuite() { s_dir = testing::makeTempDir("hostile_models"); }
    static void TearDownTestSuite() { fs::remove_all(s_dir); }
    static std::string path(const std::string& name) { return s_dir + "/" + name; }

    /// `source` rewritten at `name` after `change` edits a writable copy of its tensors.
    template <typename Change>
    static std::string rewritten(const std::string& source, const std::string& name, Change change)
    {
        auto file = io::openCheckpointTensors(source);
        EXPECT_TRUE(file.ok());
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& [key, tensor] : file->tensors)
            tensors[key] = tensor.clone();
        change(tensors);
        std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
        EXPECT_TRUE(io::writeSafetensors(path(name), list, file->metadata).ok());
        return path(name);
    }

    /// An RGB PNG with a text chunk, whose chunk `type` then claims `length` bytes.
    static std::string pngClaiming(const std::string& name, const char* type, uint32_t length)
    {
        RgbImage image;
        image.width = image.height = 16;
        image.pixels.assign(16 * 16 * 3, 90);
        EXPECT_TRUE(writePng(path(name), image, {{"parameters", "a lake"}, {"latent-canvas", "é"}})
                        .ok());
        auto bytes = readBytes(path(name));
        const size_t offset = chunkOffset(bytes, type);
        EXPECT_NE(offset, 0u) << type;
        for (int i = 0; i < 4; ++i)
            bytes[offset + size_t(i)] = uint8_t(length >> (24 - 8 * i));
        writeBytes(path(name), bytes);
        return path(name);
    }

    static inline std::string s_dir;
};

TEST_F(HostileModels, PngChunkLongerThanTheFileIsRefusedBeforeLibpngAllocatesIt)
{
    // fuzz_image_map's finding: a 225-byte map whose iTXt chunk claims 1.8 GB.
    for (const char* type : {"iTXt", "tEXt", "IDAT"}) {
        const std::string file = pngClaiming(std::string(type) + ".png", type, 1836056616u);
        const auto start = Clock::now();
        const auto text = readPngText(file);
        const auto map = readLabelMap(file, {});
        const auto image = readImage(file);
        EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << type;
        for (const Error* error : {text.ok() ? nullptr : &text.error(),
                                   map.ok() ? nullptr : &map.error(),
                                   image.ok() ? nullptr : &image.error()}) {
            ASSERT_NE(error, nullptr) << type;
            EXPECT_EQ(error->code, ErrorCode::InvalidFile);
            EXPECT_NE(error->message.find(std::string("its ") + type +
                                          " chunk claims 1836056616 bytes, but the file ends"),
                      std::string::npos)
                << error->message;
        }
    }
}

TEST_F(HostileModels, PngTextChunkOverTheLimitIsRefused)
{
    RgbImage image;
    image.width = image.height = 16;
    image.pixels.assign(16 * 16 * 3, 40);
    const std::string big(limits::MaxPngChunkBytes + 1, 'a'); // as written: 9 MB, real bytes
    ASSERT_TRUE(writePng(path("big_text.png"), image, {{"parameters", big}}).ok());
    const auto text = readPngText(path("big_text.png"));
    ASSERT_FALSE(text.ok());
    EXPECT_NE(text.error().message.find("tEXt chunk of"), std::string::npos)
        << text.error().message;
    EXPECT_NE(text.error().message.find("at most 8 MB"), std::string::npos);
    // The same text within the limit still reads.
    ASSERT_TRUE(writePng(path("text.png"), image, {{"parameters", big.substr(0, 1 << 20)}}).ok());
    const auto small = readPngText(path("text.png"));
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_EQ(small->at("parameters").size(), size_t(1) << 20);
}

TEST_F(HostileModels, EmptyTensorsAreRefusedBeforeAnythingIsBuilt)
{
    // No bytes in the file, yet a stem conv a billion channels wide: the detected UNet would
    // have been built at that width.
    const std::string source = testing::writeTinyModel(s_dir, "sd1");
    const std::string forged = rewritten(source, "empty.safetensors", [](auto& tensors) {
        tensors["model.diffusion_model.input_blocks.0.0.weight"] =
            torch::empty({1000000000, 0, 3, 3}, torch::kFloat16);
    });
    const auto start = Clock::now();
    const auto loaded = LatentDiffusion::load(forged);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(loaded.error().message.find("tensor model.diffusion_model.input_blocks.0.0.weight "
                                          "has the shape [1000000000, 0, 3, 3]"),
              std::string::npos)
        << loaded.error().message;
    EXPECT_TRUE(LatentDiffusion::load(source).ok());
}

TEST_F(HostileModels, ControlNetIsCheckedAgainstItsBaseFromShapesBeforeBuilding)
{
    const std::string baseFile = testing::writeTinyModel(s_dir, "sd1");
    auto base = LatentDiffusion::load(baseFile);
    ASSERT_TRUE(base.ok()) << base.error().message;
    const UNetConfig unet = *base->config().unet;
    ASSERT_GE(unet.levels(), 2);
    const auto write = [&](const std::string& name, const UNetConfig& config, auto change) {
        auto net = makeControlNet(ControlNetConfig{config, 3});
        EXPECT_TRUE(net.ok());
        std::map<std::string, torch::Tensor> tensors;
        for (const auto& [key, value] : io::stateDict(**net, ControlNetPrefix))
            tensors[key] = value.to(torch::kFloat16);
        change(tensors);
        std::vector<std::pair<std::string, torch::Tensor>> list(tensors.begin(), tensors.end());
        EXPECT_TRUE(io::writeSafetensors(path(name), list, {{"format", "pt"}}).ok());
        return path(name);
    };
    const auto unchanged = [](auto&) {};
    ASSERT_TRUE(loadControlNet(write("fits.safetensors", unet, unchanged), unet, "SD 1.x").ok());

    // Same stem width, levels and blocks, but the deeper levels wider than the base's.
    UNetConfig wider = unet;
    for (size_t level = 1; level < wider.channelMult.size(); ++level)
        wider.channelMult[level] += 1;
    const auto widths = loadControlNet(write("widths.safetensors", wider, unchanged), unet, "SD 1.x");
    ASSERT_FALSE(widths.ok());
    EXPECT_EQ(widths.error().code, ErrorCode::WeightsMismatch);
    EXPECT_NE(widths.error().message.find("level 1 ("), std::string::npos)
        << widths.error().message;
    EXPECT_NE(widths.error().message.find("nothing was built"), std::string::npos);

    // An empty tensor that would claim a million channels.
    const auto empty = loadControlNet(write("empty.safetensors", unet,
                                            [](auto& tensors) {
                                                tensors["control_model.zero_convs.0.0.weight"] =
                                                    torch::empty({0, 1000000, 1, 1});
                                            }),
                                      unet, "SD 1.x");
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("the ControlNet's tensor control_model.zero_convs.0.0."
                                         "weight has the shape [0, 1000000, 1, 1]"),
              std::string::npos)
        << empty.error().message;
}

// x4-upscaling.yaml as Stability AI ships it (sizes of the real 473M-parameter UNet and f4 VAE).
const char* const X4ReleaseConfig = R"(model:
  target: ldm.models.diffusion.ddpm.LatentUpscaleDiffusion
  params:
    parameterization: "v"
    low_scale_key: "lr"
    linear_start: 0.0001
    linear_end: 0.02
    timesteps: 1000
    first_stage_key: "jpg"
    cond_stage_key: "txt"
    image_size: 128
    channels: 4
    conditioning_key: "hybrid-adm"
    scale_factor: 0.08333
    use_ema: False
    low_scale_config:
      target: ldm.modules.diffusionmodules.upscaling.ImageConcatWithNoiseAugmentation
      params:
        noise_schedule_config: {linear_start: 0.0001, linear_end: 0.02}
        max_noise_level: 350
    unet_config:
      target: ldm.modules.diffusionmodules.openaimodel.UNetModel
      params:
        num_classes: 1000
        image_size: 128
        in_channels: 7
        out_channels: 4
        model_channels: 256
        attention_resolutions: [2, 4, 8]
        num_res_blocks: 2
        channel_mult: [1, 2, 2, 4]
        disable_self_attentions: [True, True, True, False]
        disable_middle_self_attn: False
        num_heads: 8
        use_spatial_transformer: True
        transformer_depth: 1
        context_dim: 1024
        legacy: False
        use_linear_in_transformer: True
    first_stage_config:
      target: ldm.models.autoencoder.AutoencoderKL
      params:
        embed_dim: 4
        ddconfig: {double_z: True, z_channels: 4, resolution: 256, in_channels: 3, out_ch: 3,
                   ch: 128, ch_mult: [1, 2, 4], num_res_blocks: 2, attn_resolutions: [],
                   dropout: 0.0}
        lossconfig: {target: torch.nn.Identity}
    cond_stage_config:
      target: ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder
      params: {freeze: True, layer: "penultimate"}
)";

TEST_F(HostileModels, X4UpscalerWithAConfigThatDoesNotDescribeItsWeightsIsRefusedBeforeBuilding)
{
    const fs::path file = testing::fixtureFolder("x4") / "x4_upscaler.safetensors";
    if (!fs::exists(file)) {
        if (testing::fixturesRequired())
            FAIL() << "missing fixture " << file;
        GTEST_SKIP() << "no shared fixture " << file;
    }
    std::ofstream(path("x4-upscaling.yaml")) << X4ReleaseConfig;
    LoadOptions options;
    options.configYaml = path("x4-upscaling.yaml");
    const auto start = Clock::now();
    const auto loaded = LatentDiffusion::load(file.string(), options);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(loaded.error().message.find("UNet model_channels is 256 in the config, but the "
                                          "weights' shapes give 32"),
              std::string::npos)
        << loaded.error().message;
    EXPECT_NE(loaded.error().message.find("nothing was built"), std::string::npos);

    // An empty tensor in the upscaler's own layout is refused the same way.
    const std::string forged = rewritten(file.string(), "x4_empty.safetensors", [](auto& tensors) {
        tensors["low_scale_model.betas"] = torch::empty({0, 1000000});
    });
    const auto empty = LatentDiffusion::load(forged);
    ASSERT_FALSE(empty.ok());
    EXPECT_NE(empty.error().message.find("low_scale_model.betas has the shape [0, 1000000]"),
              std::string::npos)
        << empty.error().message;
}

} // namespace
} // namespace ldm
