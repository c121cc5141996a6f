// SPDX-License-Identifier: GPL-3.0-or-later
// PyTorch zip checkpoints: files written by LibTorch's own pickle_save and by Python's
// torch.save (tests/data/ckpt, see make_ckpt_fixtures.py) load with their dtypes, views and
// values, compared exactly with companion safetensors the script wrote independently; malicious
// files are refused by name and nothing runs. tst_ckpt_corrupt.cpp covers broken files.
#include "core/ckpt_contents.h"
#include "core/ckpt_file.h"
#include "core/safetensors.h"
#include "support/ckpt_builder.h"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/serialize.h>

#include <algorithm>
#include <filesystem>

namespace ldm::io {
namespace {

using testing::ckptFixture;
using testing::readBytes;
using testing::ScratchDir;
using testing::writeBytes;

const std::string PwnedMarker = "/tmp/latent_canvas_ckpt_pwned";

LoadedCheckpoint mustRead(const std::string& path)
{
    auto checkpoint = openCheckpointTensors(path);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.error().message;
    return checkpoint.ok() ? std::move(checkpoint.value()) : LoadedCheckpoint{};
}

// Same names, dtypes, shapes and values; `expected` is a safetensors file written in Python.
void expectSameTensors(const TensorMap& actual, const std::string& expectedPath)
{
    auto expected = SafetensorsFile::open(expectedPath);
    ASSERT_TRUE(expected.ok()) << expected.error().message;
    ASSERT_EQ(actual.size(), expected->tensors().size());
    for (const TensorInfo& info : expected->tensors()) {
        SCOPED_TRACE(info.name);
        const auto it = actual.find(info.name);
        ASSERT_NE(it, actual.end());
        const torch::Tensor want = expected->tensor(info.name);
        EXPECT_EQ(it->second.scalar_type(), want.scalar_type());
        EXPECT_EQ(it->second.sizes(), want.sizes());
        EXPECT_TRUE(torch::equal(it->second, want));
    }
}

const void* storageOf(const torch::Tensor& tensor)
{
    return tensor.storage().data();
}

TEST(Ckpt, PickleSaveOfADictLoadsWithDtypesViewsAndValues)
{
    ScratchDir dir("tst_ckpt");
    const torch::Tensor base = torch::randn({40}).to(torch::kFloat16);
    const torch::Tensor block = base.narrow(0, 4, 24).view({4, 6});
    c10::Dict<std::string, at::Tensor> dict;
    dict.insert("block", block);
    dict.insert("block_t", block.t());
    dict.insert("column", block.select(1, 2));
    dict.insert("f32", torch::randn({3, 5}));
    dict.insert("bf16", torch::randn({7}).to(torch::kBFloat16));
    dict.insert("i64", torch::arange(-3, 9, torch::kInt64).view({3, 4}));
    dict.insert("flags", torch::tensor({true, false, true}));
    dict.insert("scalar", torch::tensor(2.5, torch::kFloat64));
    const std::vector<char> bytes = torch::pickle_save(dict);
    const std::string path = dir.file("libtorch.pt");
    writeBytes(path, std::string(bytes.begin(), bytes.end()));

    EXPECT_TRUE(looksLikeTorchZip(path));
    const LoadedCheckpoint checkpoint = mustRead(path);
    EXPECT_EQ(checkpoint.format, CheckpointFormat::TorchZip);
    ASSERT_EQ(checkpoint.tensors.size(), dict.size());
    for (const auto& entry : dict) {
        SCOPED_TRACE(entry.key());
        const torch::Tensor& loaded = checkpoint.tensors.at(entry.key());
        EXPECT_EQ(loaded.scalar_type(), entry.value().scalar_type());
        EXPECT_EQ(loaded.sizes(), entry.value().sizes());
        EXPECT_EQ(loaded.strides(), entry.value().strides());
        EXPECT_TRUE(torch::equal(loaded, entry.value()));
    }
    // The views keep their layout and share one storage, as in PyTorch.
    const TensorMap& t = checkpoint.tensors;
    EXPECT_FALSE(t.at("block_t").is_contiguous());
    EXPECT_EQ(t.at("block").storage_offset(), 4);
    EXPECT_EQ(t.at("column").storage_offset(), 6);
    EXPECT_EQ(storageOf(t.at("block")), storageOf(t.at("block_t")));
    EXPECT_EQ(storageOf(t.at("block")), storageOf(t.at("column")));
}

TEST(Ckpt, PickleSaveOfALightningLayoutWithTypedListsLoads)
{
    ScratchDir dir("tst_ckpt");
    c10::Dict<std::string, at::Tensor> state;
    state.insert("w", torch::randn({2, 2}));
    c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
    root.insert("state_dict", state);
    root.insert("global_step", int64_t(42));
    root.insert("epoch", int64_t(3));
    // LibTorch tags typed lists with torch.jit._pickle.build_intlist and friends.
    root.insert("ints", c10::List<int64_t>({1, 2}));
    root.insert("floats", c10::List<double>({1.5}));
    root.insert("flags", c10::List<bool>({true}));
    root.insert("tensors", c10::List<at::Tensor>({torch::zeros({1})}));
    const std::vector<char> bytes = torch::pickle_save(root);
    const std::string path = dir.file("lightning_layout.pt");
    writeBytes(path, std::string(bytes.begin(), bytes.end()));

    const LoadedCheckpoint checkpoint = mustRead(path);
    ASSERT_EQ(checkpoint.tensors.size(), 1u);
    EXPECT_TRUE(torch::equal(checkpoint.tensors.at("w"), state.at("w")));
    EXPECT_EQ(checkpoint.metadata,
              (std::map<std::string, std::string>{{"epoch", "3"}, {"global_step", "42"}}));
    std::vector<std::string> skipped = checkpoint.skipped;
    std::sort(skipped.begin(), skipped.end());
    EXPECT_EQ(skipped, (std::vector<std::string>{"flags", "floats", "ints", "tensors"}));
}

TEST(Ckpt, LightningCheckpointGivesTheStateDictAndReportsTheRest)
{
    const LoadedCheckpoint checkpoint = mustRead(ckptFixture("lightning.ckpt"));
    expectSameTensors(checkpoint.tensors, ckptFixture("lightning.safetensors"));
    EXPECT_EQ(checkpoint.metadata,
              (std::map<std::string, std::string>{{"epoch", "7"}, {"global_step", "12345"}}));
    std::vector<std::string> skipped = checkpoint.skipped;
    std::sort(skipped.begin(), skipped.end());
    EXPECT_EQ(skipped, (std::vector<std::string>{"callbacks", "hyper_parameters", "lr_schedulers",
                                                 "optimizer_states", "pytorch-lightning_version"}));
}

TEST(Ckpt, Fp16ViewsOfOneStorageKeepOffsetsAndStrides)
{
    const LoadedCheckpoint checkpoint = mustRead(ckptFixture("fp16_views.pt"));
    expectSameTensors(checkpoint.tensors, ckptFixture("fp16_views.safetensors"));
    const TensorMap& t = checkpoint.tensors;
    EXPECT_EQ(t.at("block").storage_offset(), 8);
    EXPECT_EQ(t.at("block_t").strides(), (std::vector<int64_t>{1, 6}));
    EXPECT_EQ(t.at("column").storage_offset(), 10);
    EXPECT_EQ(t.at("column").strides(), (std::vector<int64_t>{6}));
    EXPECT_EQ(t.at("tail").storage_offset(), 44);
    EXPECT_EQ(t.at("tail").strides(), (std::vector<int64_t>{12, 4, 2}));
    for (const char* name : {"block", "block_t", "column", "tail"})
        EXPECT_EQ(storageOf(t.at(name)), storageOf(t.at("whole"))) << name;
    EXPECT_NE(storageOf(t.at("other")), storageOf(t.at("whole")));
}

TEST(Ckpt, EveryStorageTypeScalarsAndEmptyTensors)
{
    const LoadedCheckpoint checkpoint = mustRead(ckptFixture("dtypes.pth"));
    expectSameTensors(checkpoint.tensors, ckptFixture("dtypes.safetensors"));
    EXPECT_EQ(checkpoint.tensors.at("scalar").dim(), 0);
    EXPECT_EQ(checkpoint.tensors.at("empty").sizes(), (std::vector<int64_t>{0, 4}));
    EXPECT_EQ(checkpoint.skipped, std::vector<std::string>{"not_a_tensor (int)"});
}

TEST(Ckpt, MaliciousCheckpointsAreRefusedByNameAndNothingRuns)
{
    std::filesystem::remove(PwnedMarker);
    for (const auto& [file, global] : {std::pair{"malicious_os_system.ckpt", "os.system"},
                                       std::pair{"malicious_posix_system.ckpt", "posix.system"}}) {
        const std::string path = ckptFixture(file);
        ASSERT_TRUE(std::filesystem::exists(path)) << path;
        auto checkpoint = openCheckpointTensors(path);
        ASSERT_FALSE(checkpoint.ok()) << file;
        EXPECT_EQ(checkpoint.error().code, ErrorCode::InvalidFile);
        const std::string& message = checkpoint.error().message;
        EXPECT_NE(message.find(path), std::string::npos) << message;
        EXPECT_NE(message.find(std::string("references ") + global + ","), std::string::npos)
            << message;
        EXPECT_NE(message.find("nothing was executed"), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(PwnedMarker));
}

TEST(Ckpt, FormatIsDetectedByContentNotByName)
{
    ScratchDir dir("tst_ckpt");
    const std::string disguised = dir.file("really_a_ckpt.safetensors");
    writeBytes(disguised, readBytes(ckptFixture("fp16_views.pt")));
    EXPECT_TRUE(looksLikeTorchZip(disguised));
    EXPECT_EQ(mustRead(disguised).format, CheckpointFormat::TorchZip);

    const std::string safetensors = ckptFixture("fp16_views.safetensors");
    EXPECT_FALSE(looksLikeTorchZip(safetensors));
    const LoadedCheckpoint plain = mustRead(safetensors);
    EXPECT_EQ(plain.format, CheckpointFormat::Safetensors);
    expectSameTensors(plain.tensors, safetensors);

    EXPECT_FALSE(looksLikeTorchZip(dir.file("missing.ckpt")));
    auto missing = openCheckpointTensors(dir.file("missing.ckpt"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("missing.ckpt"), std::string::npos);
}

TEST(Ckpt, LegacyPickleFormatGetsAnActionableMessage)
{
    ScratchDir dir("tst_ckpt");
    const std::string path = dir.file("legacy.pt");
    writeBytes(path, std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", 15));
    auto checkpoint = openCheckpointTensors(path);
    ASSERT_FALSE(checkpoint.ok());
    EXPECT_NE(checkpoint.error().message.find("pre-1.6"), std::string::npos)
        << checkpoint.error().message;
}

// Every prefix of a real file, and every single-byte change of it, is either read correctly or
// refused with a message: never a crash (ASan builds of this test see any stray read).
TEST(Ckpt, EveryTruncationAndByteFlipOfARealFileIsHandled)
{
    const std::string bytes = readBytes(ckptFixture("fp16_views.pt"));
    ASSERT_GT(bytes.size(), 1000u);
    for (size_t length = 0; length < bytes.size(); ++length) {
        const std::string cut = bytes.substr(0, length);
        auto contents = parseCheckpoint(testing::bytesOf(cut), cut.size());
        ASSERT_FALSE(contents.ok()) << "a " << length << "-byte prefix was accepted";
        ASSERT_FALSE(contents.error().message.empty());
    }
    size_t accepted = 0;
    for (size_t at = 0; at < bytes.size(); ++at) {
        std::string flipped = bytes;
        flipped[at] = char(flipped[at] ^ 0x5a);
        auto contents = parseCheckpoint(testing::bytesOf(flipped), flipped.size());
        if (contents.ok())
            ++accepted; // padding, timestamps and weight bytes do not matter
        else
            ASSERT_FALSE(contents.error().message.empty()) << at;
    }
    EXPECT_GT(accepted, 0u);
    EXPECT_LT(accepted, bytes.size());
}

TEST(Ckpt, TruncatedFileNamesThePathAndTheProblem)
{
    ScratchDir dir("tst_ckpt");
    const std::string path = dir.file("half.ckpt");
    const std::string bytes = readBytes(ckptFixture("lightning.ckpt"));
    writeBytes(path, bytes.substr(0, bytes.size() / 2));
    auto checkpoint = openCheckpointTensors(path);
    ASSERT_FALSE(checkpoint.ok());
    EXPECT_EQ(checkpoint.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(checkpoint.error().message.find(path), std::string::npos);
    EXPECT_NE(checkpoint.error().message.find("truncated"), std::string::npos)
        << checkpoint.error().message;
}

} // namespace
} // namespace ldm::io
