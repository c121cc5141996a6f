// SPDX-License-Identifier: GPL-3.0-or-later
// Hand-built PyTorch checkpoints, each broken in one way (support/ckpt_builder.h): wrong record
// sizes, views outside their storage, compressed or missing members, refused globals, malformed
// pickles. Each must be an InvalidFile error whose message names the problem, never a crash.
#include "core/ckpt_contents.h"
#include "core/ckpt_file.h"
#include "support/ckpt_builder.h"

#include <gtest/gtest.h>

namespace ldm::io {
namespace {

using testing::bytesOf;
using testing::makeCheckpoint;
using testing::PickleBuilder;
using testing::ZipMember;

std::string floats(int count)
{
    std::string out;
    for (int i = 0; i < count; ++i) {
        const float value = float(i);
        out.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    return out;
}

// {"w": view of a 6-element FloatStorage "0"}
std::string oneTensorPickle(int64_t offset, const std::vector<int64_t>& sizes,
                            const std::vector<int64_t>& strides, int64_t numel = 6)
{
    PickleBuilder p;
    p.proto().op('}').mark().str("w").tensor("0", "FloatStorage", numel, offset, sizes, strides);
    return p.op('u').stop().bytes;
}

Result<CkptContents> parse(const std::string& file)
{
    return parseCheckpoint(bytesOf(file), file.size());
}

Result<PickleTree> unpickle(const std::string& pickle)
{
    return readPickle(bytesOf(pickle), pickle.size());
}

template <typename T> void expectError(const Result<T>& result, const std::string& part)
{
    ASSERT_FALSE(result.ok()) << "accepted; expected an error containing '" << part << "'";
    EXPECT_EQ(result.error().code, ErrorCode::InvalidFile);
    EXPECT_NE(result.error().message.find(part), std::string::npos) << result.error().message;
}

TEST(CkptCorrupt, HandBuiltCheckpointLoadsWithItsLayout)
{
    testing::ScratchDir dir("tst_ckpt_corrupt");
    const std::string path = dir.file("strided.ckpt");
    testing::writeBytes(path,
                        makeCheckpoint(oneTensorPickle(1, {2, 2}, {1, 3}), {{"0", floats(6)}}));
    auto checkpoint = readTorchCheckpoint(path);
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().message;
    const torch::Tensor w = checkpoint->tensors.at("w");
    EXPECT_TRUE(torch::equal(w, torch::tensor({{1.f, 4.f}, {2.f, 5.f}})));
}

TEST(CkptCorrupt, RecordSizeMustMatchItsStorage)
{
    const std::string pickle = oneTensorPickle(0, {2, 3}, {3, 1});
    expectError(parse(makeCheckpoint(pickle, {{"0", floats(5)}})),
                "holds 20 bytes, but its F32 storage of 6 elements needs 24");
    expectError(parse(makeCheckpoint(pickle, {{"0", floats(7)}})), "holds 28 bytes");
    expectError(parse(makeCheckpoint(pickle, {})), "storage record 'archive/data/0' is missing");
}

TEST(CkptCorrupt, ViewsMustLieInsideTheirStorage)
{
    expectError(parse(makeCheckpoint(oneTensorPickle(1, {2, 3}, {3, 1}), {{"0", floats(6)}})),
                "reaches element 6 of storage '0', which has 6 elements");
    expectError(parse(makeCheckpoint(oneTensorPickle(0, {2, 3}, {4, 1}), {{"0", floats(6)}})),
                "reaches element 6");
    expectError(parse(makeCheckpoint(oneTensorPickle(0, {3}, {INT64_MAX}), {{"0", floats(6)}})),
                "overflows");
    expectError(parse(makeCheckpoint(oneTensorPickle(0, {1ll << 40, 1ll << 40}, {0, 0}),
                                     {{"0", floats(6)}})),
                "overflows");
    // A view without elements touches nothing, whatever its offset.
    auto empty = parse(makeCheckpoint(oneTensorPickle(100, {0, 3}, {3, 1}), {{"0", floats(6)}}));
    EXPECT_TRUE(empty.ok()) << empty.error().message;
}

TEST(CkptCorrupt, ArchiveProblemsAreNamed)
{
    const std::string pickle = oneTensorPickle(0, {6}, {1});
    const std::vector<ZipMember> ok = {{"archive/data.pkl", pickle}, {"archive/data/0", floats(6)}};
    EXPECT_TRUE(parse(testing::makeZip(ok)).ok());

    expectError(parse(testing::makeZip({{"archive/data.pkl", pickle, 8}, ok[1]})),
                "is compressed (deflate)");
    expectError(parse(testing::makeZip({ok[0], {"archive/data/0", floats(6), 8}})),
                "is compressed (deflate)");
    expectError(parse(testing::makeZip({ok[0], ok[1], ok[1]})), "holds 'archive/data/0' twice");
    expectError(parse(testing::makeZip({ok[1]})), "no <name>/data.pkl");
    expectError(parse(testing::makeZip({{"model/constants.pkl", pickle}})), "TorchScript");
    expectError(parse(makeCheckpoint(pickle, {{"0", floats(6)}}, {{"archive/byteorder", "big"}})),
                "big-endian");
    expectError(parse(makeCheckpoint(pickle, {{"0", floats(6)}}, {{"archive/byteorder", "mixed"}})),
                "byteorder record says 'mixed'");
    EXPECT_TRUE(
        parse(makeCheckpoint(pickle, {{"0", floats(6)}}, {{"archive/byteorder", "little"}})).ok());

    std::string file = testing::makeZip(ok);
    auto archive = ZipArchive::parse(bytesOf(file), file.size());
    ASSERT_TRUE(archive.ok());
    file[size_t(archive->find("archive/data.pkl")->dataOffset) + 3] ^= 0x01;
    expectError(parse(file), "fails its CRC-32 check");

    expectError(parse("PK\x03\x04 this is not really a zip archive"),
                "no zip end-of-central-directory record");
    expectError(parse(""), "too short for a zip archive");
}

TEST(CkptCorrupt, GlobalsOutsideTheAllowlistAreRefusedByName)
{
    for (const auto& [module, name] :
         {std::pair{"builtins", "eval"}, std::pair{"subprocess", "Popen"},
          std::pair{"nt", "system"}, std::pair{"torch", "load"},
          std::pair{"torch._utils", "_rebuild_qtensor"}, std::pair{"numpy", "load"}}) {
        const std::string qualified = std::string(module) + "." + name;
        PickleBuilder classic;
        classic.proto().global(module, name).str("x").op(0x85).op('R').stop();
        expectError(unpickle(classic.bytes), "references " + qualified + ", which is not part");
        // Protocol 4 names globals with strings on the stack.
        PickleBuilder stacked;
        stacked.proto(4).str(module).str(name).op(0x93).stop();
        expectError(unpickle(stacked.bytes), "references " + qualified);
    }
    // Refused wherever it is, even in an entry that would be skipped.
    PickleBuilder hidden;
    hidden.proto().op('}').mark().str("state_dict").op('}').mark().str("w");
    hidden.tensor("0", "FloatStorage", 6, 0, {6}, {1}).op('u');
    hidden.str("optimizer_states").global("subprocess", "Popen").str("sh").op(0x85).op('R');
    expectError(parse(makeCheckpoint(hidden.op('u').stop().bytes, {{"0", floats(6)}})),
                "refusing to load: the checkpoint references subprocess.Popen");
    // Old-style instantiation opcodes name classes too; they are not supported at all.
    expectError(unpickle("\x80\x02(ios\nsystem\n."), "(INST) is not supported");
}

TEST(CkptCorrupt, AllowedGlobalsUsedTheWrongWayAreRefused)
{
    PickleBuilder storageCalled;
    storageCalled.proto().global("torch", "FloatStorage").op(')').op('R').stop();
    expectError(unpickle(storageCalled.bytes), "torch.FloatStorage is called");

    PickleBuilder notAStorage;
    notAStorage.proto().global("torch._utils", "_rebuild_tensor_v2").mark().integer(1).integer(0);
    notAStorage.dims({1}).dims({1}).op(0x89).op('}').op('t').op('R').stop();
    expectError(unpickle(notAStorage.bytes), "instead of a storage");

    PickleBuilder dtypeAsStorage;
    dtypeAsStorage.proto().mark().str("storage").global("torch", "float32").str("0").str("cpu");
    dtypeAsStorage.integer(1).op('t').op('Q').stop();
    expectError(unpickle(dtypeAsStorage.bytes), "instead of a typed storage");

    PickleBuilder badKey;
    badKey.proto().mark().str("storage").global("torch", "FloatStorage").str("../x").str("cpu");
    badKey.integer(1).op('t').op('Q').stop();
    expectError(unpickle(badKey.bytes), "unexpected characters");

    PickleBuilder instantiated;
    instantiated.proto().global("torch._utils", "_rebuild_tensor_v2").op(')').op(0x81).stop();
    expectError(unpickle(instantiated.bytes), "is instantiated");
}

TEST(CkptCorrupt, InertPlaceholdersAreFineOutsideTheWeightsOnly)
{
    auto build = [](const char* where) {
        PickleBuilder p;
        p.proto().op('}').mark().str("state_dict").op('}').mark().str("w");
        p.tensor("0", "FloatStorage", 6, 0, {6}, {1});
        if (std::string(where) == "inside")
            p.str("x").global("numpy", "ndarray").op(')').op('R');
        p.op('u');
        if (std::string(where) == "outside")
            p.str("callbacks").global("numpy", "ndarray").op(')').op('R');
        return makeCheckpoint(p.op('u').stop().bytes, {{"0", floats(6)}});
    };
    auto outside = parse(build("outside"));
    ASSERT_TRUE(outside.ok()) << outside.error().message;
    EXPECT_EQ(outside->skipped, std::vector<std::string>{"callbacks"});
    expectError(parse(build("inside")), "state_dict entry 'x' is a numpy.ndarray where a tensor");
}

TEST(CkptCorrupt, MalformedPicklesAreErrors)
{
    const std::string good = oneTensorPickle(0, {6}, {1});
    for (size_t cut = 0; cut < good.size(); ++cut)
        ASSERT_FALSE(unpickle(good.substr(0, cut)).ok()) << cut;
    expectError(unpickle(good.substr(0, 20)), "truncated");
    expectError(unpickle("\x80\x02h\x05."), "memo entry 5 is read before it is written");
    expectError(unpickle("\x80\x02R."), "stack underflow");
    expectError(unpickle("\x80\x02t."), "needs a MARK");
    expectError(unpickle("\x80\x02N(R."), "stack underflow"); // a MARK fences what is below it
    expectError(unpickle("\x80\x02\xff."), "unknown pickle opcode 0xff");
    expectError(unpickle("\x80\x02N"), "without a STOP");
    expectError(unpickle("\x80\x09N."), "protocol 9");
    expectError(unpickle(std::string(20000, '(')), "nest deeper than");
    expectError(unpickle("\x80\x02X\xff\xff\xff\x7f"), "longer than");
    expectError(unpickle("\x80\x02]N\x85\x62."), "BUILD on a list");
}

TEST(CkptCorrupt, StateDictShapesOfTheTree)
{
    auto extract = [](const PickleBuilder& p) {
        auto tree = unpickle(p.bytes);
        return tree.ok() ? extractStateDict(*tree) : Result<CkptContents>(tree.error());
    };
    PickleBuilder list;
    list.proto().op(']').stop();
    expectError(extract(list), "holds a list, not a dict of tensors");
    PickleBuilder object;
    object.proto().global("torch.nn.modules.container", "ParameterDict").op(')').op(0x81).stop();
    expectError(extract(object), "holds a torch.nn.modules.container.ParameterDict");
    PickleBuilder counters;
    counters.proto().op('}').mark().str("a").integer(1).str("b").integer(2).op('u').stop();
    expectError(extract(counters), "no tensors found: the top-level keys are [a, b]");

    // A list that contains itself sits in a skipped entry; a repeated key keeps its last
    // value, as in Python; a global_step too large for 64 bits is skipped, not misread.
    PickleBuilder p;
    p.proto().op('}').mark().str("loops").op(']').op('q').op(0).op('h').op(0).op('a');
    p.str("global_step").op(0x8a).op(9).bytes += std::string(8, '\0') + "\x01";
    p.str("state_dict").op('}').mark().str("w").tensor("0", "FloatStorage", 6, 0, {6}, {1});
    p.str("w").tensor("0", "FloatStorage", 6, 2, {2}, {1}).op('u').op('u').stop();
    auto contents = extract(p);
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    ASSERT_EQ(contents->tensors.size(), 1u);
    EXPECT_EQ(contents->tensors[0].storageOffset, 2u);
    EXPECT_TRUE(contents->metadata.empty());
    EXPECT_EQ(contents->skipped, (std::vector<std::string>{"loops", "global_step"}));

    PickleBuilder mixed;
    mixed.proto().op('}').mark().str("a").tensor("0", "FloatStorage", 6, 0, {6}, {1});
    mixed.str("b").tensor("0", "HalfStorage", 6, 0, {6}, {1}).op('u').stop();
    expectError(extract(mixed), "storage '0' is declared twice");
}

// Textual-inversion files: the vectors of `string_to_param` are found through a
// ParameterDict's kept state (`_parameters`); one whose state is itself leads nowhere.
TEST(CkptCorrupt, EmbeddingParameterDicts)
{
    auto extract = [](const PickleBuilder& p) {
        auto tree = unpickle(p.bytes);
        return tree.ok() ? extractStateDict(*tree) : Result<CkptContents>(tree.error());
    };
    PickleBuilder good;
    good.proto().op('}').mark().str("string_to_param");
    good.global("torch.nn.modules.container", "ParameterDict").op(')').op(0x81);
    good.op('}').mark().str("_parameters").op('}').mark().str("*");
    good.tensor("0", "FloatStorage", 6, 0, {2, 3}, {3, 1}).op('u').op('u').op('b');
    good.str("name").str("x").op('u').stop();
    auto contents = extract(good);
    ASSERT_TRUE(contents.ok()) << contents.error().message;
    ASSERT_EQ(contents->tensors.size(), 1u);
    EXPECT_EQ(contents->tensors[0].name, "*");
    EXPECT_EQ(contents->tensors[0].sizes, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(contents->skipped, (std::vector<std::string>{"name"}));

    PickleBuilder loop;
    loop.proto().op('}').mark().str("string_to_param");
    loop.global("torch.nn.modules.container", "ParameterDict").op(')').op(0x81);
    loop.op('q').op(0).op('h').op(0).op('b').op('u').stop();
    expectError(extract(loop), "no tensors found");
}

} // namespace
} // namespace ldm::io
