// SPDX-License-Identifier: GPL-3.0-or-later
// Safetensors reader and writer: round trips, the public fixtures, and corrupt files, each of
// which must give an InvalidFile error that names the problem (and never a crash).
#include "core/safetensors.h"
#include "support/test_paths.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using ldm::ErrorCode;
using ldm::io::SafetensorsFile;

namespace {

class TempDir
{
public:
    TempDir()
        : m_path(fs::temp_directory_path() / ("ldm_tst_safetensors_" + std::to_string(::getpid())))
    {
        fs::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    std::string file(const std::string& name) const { return (m_path / name).string(); }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void writeBytes(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string le64(uint64_t value)
{
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[size_t(i)] = char(value >> (8 * i));
    return bytes;
}

// A file with the given header text and `dataBytes` zero bytes of data.
std::string rawFile(const std::string& header, size_t dataBytes)
{
    return le64(header.size()) + header + std::string(dataBytes, '\0');
}

class Safetensors : public ::testing::Test
{
protected:
    // Writes `bytes`, opens it, and expects InvalidFile whose message names the file and
    // contains `expected`.
    void expectInvalid(const std::string& bytes, const std::string& expected)
    {
        const std::string path = m_dir.file("bad.safetensors");
        writeBytes(path, bytes);
        const auto file = SafetensorsFile::open(path);
        ASSERT_FALSE(file.ok()) << "accepted a bad file; expected: " << expected;
        EXPECT_EQ(file.error().code, ErrorCode::InvalidFile) << file.error().message;
        EXPECT_NE(file.error().message.find(expected), std::string::npos)
            << "message: " << file.error().message << "\nexpected to contain: " << expected;
        EXPECT_NE(file.error().message.find(path), std::string::npos) << file.error().message;
    }

    TempDir m_dir;
};

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  uint64_t begin, uint64_t end)
{
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
           ",\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
}

} // namespace

TEST_F(Safetensors, RoundTripKeepsValuesDtypesAndMetadata)
{
    torch::manual_seed(1);
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"f32", torch::randn({3, 5})},
        {"f16", torch::randn({7}).to(torch::kFloat16)},
        {"bf16", torch::randn({2, 3, 2}).to(torch::kBFloat16)},
        {"i64", torch::arange(-4, 6, torch::kInt64).reshape({2, 5})},
        {"scalar", torch::tensor(2.5)},
        {"empty", torch::zeros({0, 4})},
        {"strided", torch::randn({4, 6}).t()}, // non-contiguous input
        {"u8", torch::arange(0, 9, torch::kUInt8)},
        {"flags", torch::tensor({true, false, true})},
    };
    const std::map<std::string, std::string> metadata = {{"config", "{\"ch\": 32}"},
                                                         {"format", "pt"}};
    const std::string path = m_dir.file("round.safetensors");
    const auto written = ldm::io::writeSafetensors(path, tensors, metadata);
    ASSERT_TRUE(written.ok()) << written.error().message;

    const auto file = SafetensorsFile::open(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->metadata(), metadata);
    EXPECT_EQ(file->tensors().size(), tensors.size());
    EXPECT_EQ(file->header().dataStart % 8, 0u) << "header padding keeps the data 8-aligned";
    for (const auto& info : file->tensors())
        EXPECT_EQ(info.begin % ldm::io::dtypeSize(info.dtype), 0u) << info.name;
    for (const auto& [name, expected] : tensors) {
        ASSERT_TRUE(file->contains(name)) << name;
        const torch::Tensor actual = file->tensor(name);
        EXPECT_EQ(actual.scalar_type(), expected.scalar_type()) << name;
        EXPECT_EQ(actual.sizes(), expected.sizes()) << name;
        EXPECT_TRUE(torch::equal(actual, expected)) << name;
    }
    EXPECT_FALSE(file->contains("nope"));
    EXPECT_THROW(file->tensor("nope"), std::out_of_range);

    // No temporary file is left next to the result.
    for (const auto& item : fs::directory_iterator(m_dir.path()))
        EXPECT_EQ(item.path().filename().string().find(".tmp-"), std::string::npos);
}

TEST_F(Safetensors, TensorsAreViewsThatOutliveTheFile)
{
    const std::string path = m_dir.file("view.safetensors");
    ASSERT_TRUE(ldm::io::writeSafetensors(path, {{"a", torch::arange(1000.0)}}).ok());
    torch::Tensor view;
    {
        const auto file = SafetensorsFile::open(path);
        ASSERT_TRUE(file.ok());
        view = file->tensor("a");
        const torch::Tensor again = file->tensor("a");
        EXPECT_EQ(view.data_ptr(), again.data_ptr()) << "expected zero-copy views";
    }
    // The file object is gone; the view keeps the mapping alive.
    EXPECT_DOUBLE_EQ(view.sum().item<double>(), 999.0 * 1000.0 / 2.0);
}

TEST_F(Safetensors, MisalignedDataIsCopied)
{
    // An F32 tensor at data offset 2: legal in the format, but not a valid float* view.
    const std::string header =
        "{" + entry("pad", "U8", "[2]", 0, 2) + "," + entry("x", "F32", "[2]", 2, 10) + "}";
    std::string bytes = le64(header.size()) + header + std::string(2, '\x07');
    const float values[2] = {1.5f, -3.0f};
    bytes.append(reinterpret_cast<const char*>(values), sizeof values);
    const std::string path = m_dir.file("misaligned.safetensors");
    writeBytes(path, bytes);
    const auto file = SafetensorsFile::open(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    const torch::Tensor x = file->tensor("x");
    EXPECT_EQ(reinterpret_cast<uintptr_t>(x.data_ptr()) % alignof(float), 0u);
    EXPECT_FLOAT_EQ(x[0].item<float>(), 1.5f);
    EXPECT_FLOAT_EQ(x[1].item<float>(), -3.0f);
}

TEST_F(Safetensors, WriterRejectsBadInputWithoutLeavingFiles)
{
    const std::string path = m_dir.file("w.safetensors");
    auto result = ldm::io::writeSafetensors(path, {{"a", torch::zeros(2)}, {"a", torch::ones(2)}});
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("given twice"), std::string::npos);
    result = ldm::io::writeSafetensors(path, {{"c", torch::zeros(2, torch::kComplexFloat)}});
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("cannot store"), std::string::npos);
    result = ldm::io::writeSafetensors(m_dir.file("no/such/dir/x.safetensors"),
                                       {{"a", torch::zeros(2)}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidFile);
    EXPECT_TRUE(fs::is_empty(m_dir.path()));
}

TEST_F(Safetensors, OpensEveryPublicFixture)
{
    const std::string dir = ldm::testing::parityDir().string();
    const char* dirEnv = dir.c_str();
    if (dir.empty() || !fs::is_directory(dir)) {
        if (ldm::testing::fixturesRequired())
            FAIL() << "no parity fixture folder at '" << dir << "' (CI requires it)";
        GTEST_SKIP() << "PARITY FIXTURES NOT FOUND: no parity fixture folder (set LDM_PARITY_DIR)";
    }
    int opened = 0;
    for (const auto& item : fs::directory_iterator(dirEnv)) {
        if (item.path().extension() != ".safetensors")
            continue;
        const auto file = SafetensorsFile::open(item.path().string());
        ASSERT_TRUE(file.ok()) << file.error().message;
        ++opened;
        for (const auto& info : file->tensors())
            EXPECT_EQ(file->tensor(info.name).numel(), int64_t(info.numel())) << info.name;

        // name<TAB>[shape] per tensor, in state_dict order.
        fs::path keys = item.path();
        keys.replace_extension(".keys.txt");
        if (!fs::exists(keys))
            continue;
        std::ifstream in(keys);
        std::string line;
        size_t count = 0;
        while (std::getline(in, line)) {
            if (line.empty())
                continue;
            ++count;
            const size_t tab = line.find('\t');
            const std::string name = line.substr(0, tab);
            const auto* info = file->find(name);
            ASSERT_NE(info, nullptr) << keys << " lists " << name;
            EXPECT_EQ(ldm::io::formatShape(info->shape), line.substr(tab + 1)) << name;
        }
        EXPECT_EQ(file->tensors().size(), count) << item.path();
    }
    EXPECT_GT(opened, 0) << "no .safetensors files in " << dirEnv;
}

TEST_F(Safetensors, EmptyFile)
{
    expectInvalid("", "too short");
}

TEST_F(Safetensors, TruncatedInTheHeader)
{
    const std::string good = rawFile("{" + entry("a", "F32", "[4]", 0, 16) + "}", 16);
    expectInvalid(good.substr(0, 5), "too short");
    expectInvalid(good.substr(0, 20), "runs past the end");
}

TEST_F(Safetensors, TruncatedInTheData)
{
    const std::string good = rawFile("{" + entry("a", "F32", "[4]", 0, 16) + "}", 16);
    expectInvalid(good.substr(0, good.size() - 3), "beyond the data section");
}

TEST_F(Safetensors, HeaderLengthBeyondFile)
{
    expectInvalid(le64(1000) + "{}", "runs past the end");
    expectInvalid(le64(uint64_t(1) << 40) + "{}", "larger than");
    expectInvalid(le64(~uint64_t(0)) + "{}", "larger than");
}

TEST_F(Safetensors, HeaderIsNotJson)
{
    expectInvalid(rawFile("{\"a\": {\"dtype\": ", 0), "not valid JSON");
    expectInvalid(rawFile(std::string(10000, '['), 0), "nests deeper");
}

TEST_F(Safetensors, HeaderIsAJsonArray)
{
    expectInvalid(rawFile("[1, 2, 3]", 0), "must be a JSON object, found an array");
}

TEST_F(Safetensors, EntryIsNotAnObject)
{
    expectInvalid(rawFile("{\"a\": 3}", 0), "tensor 'a' must be an object");
}

TEST_F(Safetensors, UnknownDtype)
{
    expectInvalid(rawFile("{" + entry("a", "Q7", "[4]", 0, 4) + "}", 4), "unsupported dtype 'Q7'");
}

TEST_F(Safetensors, BadShapes)
{
    expectInvalid(rawFile("{" + entry("a", "F32", "[4]", 0, 12) + "}", 12),
                  "shape [4] of F32 = 16 bytes, but data_offsets [0, 12] span 12 bytes");
    expectInvalid(rawFile("{" + entry("a", "F32", "[-1, 4]", 0, 0) + "}", 0),
                  "negative dimension -1");
    expectInvalid(rawFile("{" + entry("a", "F32", "[4294967296, 4294967296]", 0, 0) + "}", 0),
                  "overflows");
    expectInvalid(rawFile("{" + entry("a", "F32", "[2.5]", 0, 0) + "}", 0), "non-integer");
}

TEST_F(Safetensors, OffsetsOutOfRange)
{
    expectInvalid(rawFile("{" + entry("a", "F32", "[4]", 8, 24) + "}", 16),
                  "data_offsets [8, 24] beyond the data section of 16 bytes");
}

TEST_F(Safetensors, OverlappingOffsets)
{
    const std::string header =
        "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[2]", 8, 16) + "}";
    expectInvalid(rawFile(header, 16), "'a' and 'b' overlap");
}

TEST_F(Safetensors, ReversedOffsets)
{
    expectInvalid(rawFile("{" + entry("a", "F32", "[0]", 8, 4) + "}", 8),
                  "reversed data_offsets [8, 4]");
}

TEST_F(Safetensors, NonStringMetadata)
{
    expectInvalid(rawFile("{\"__metadata__\": {\"steps\": 10}}", 0),
                  "__metadata__ value 'steps' must be a string, found a number");
    expectInvalid(rawFile("{\"__metadata__\": [\"x\"]}", 0), "__metadata__ must be an object");
}

TEST_F(Safetensors, NotAFile)
{
    const auto missing = SafetensorsFile::open(m_dir.file("absent.safetensors"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("No such file"), std::string::npos);
    const auto folder = SafetensorsFile::open(m_dir.path().string());
    ASSERT_FALSE(folder.ok());
    EXPECT_NE(folder.error().message.find("not a regular file"), std::string::npos);
}

namespace {

// A header of `count` one-byte U8 tensors, listed in the order given by `name`.
std::string manyEntries(size_t count)
{
    std::string header = "{";
    header.reserve(count * 80);
    for (size_t i = 0; i < count; ++i)
        header += (i ? "," : "") + entry("t" + std::to_string(i), "U8", "[1]", i, i + 1);
    return rawFile(header + "}", count);
}

double threadSeconds()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

ldm::Result<ldm::io::Header> parse(const std::string& bytes)
{
    return ldm::io::parseHeader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                bytes.size());
}

} // namespace

// The header parse used to be quadratic in the number of names (80,000 took 20 s). CPU time of
// this thread, so a busy machine does not fail it; 25,000 first so a quadratic parse fails in
// seconds rather than minutes.
TEST_F(Safetensors, ManyTinyEntriesParseInLinearTime)
{
#if defined(__SANITIZE_ADDRESS__)
    const double slowdown = 8.0; // AddressSanitizer's instrumentation; a quadratic parse is 100x
#else
    const double slowdown = 1.0;
#endif
    for (auto [count, budget] : {std::pair<size_t, double>{25000, 0.25}, {200000, 1.0}}) {
        budget *= slowdown;
        const std::string bytes = manyEntries(count);
        const double start = threadSeconds();
        const auto header = parse(bytes);
        const double seconds = threadSeconds() - start;
        ASSERT_TRUE(header.ok()) << header.error().message;
        ASSERT_EQ(header->tensors.size(), count);
        EXPECT_EQ(header->tensors[count - 1].name, "t" + std::to_string(count - 1));
        std::printf("%zu entries: %.3f s\n", count, seconds);
        ASSERT_LT(seconds, budget) << count << " entries";
    }
}

TEST_F(Safetensors, TooManyEntriesAreRefusedBeforeParsing)
{
    const auto header = parse(manyEntries(ldm::io::MaxTensorCount + 2));
    ASSERT_FALSE(header.ok());
    EXPECT_NE(header.error().message.find("more than the " +
                                          std::to_string(ldm::io::MaxTensorCount)),
              std::string::npos)
        << header.error().message;
}

TEST_F(Safetensors, EntriesKeepFileOrderAndNamesAreUnique)
{
    const auto header = parse(rawFile(
        "{" + entry("b", "U8", "[1]", 1, 2) + "," + entry("a", "U8", "[1]", 0, 1) + "}", 2));
    ASSERT_TRUE(header.ok()) << header.error().message;
    EXPECT_EQ(header->tensors[0].name, "b");
    EXPECT_EQ(header->tensors[1].name, "a");
    expectInvalid(
        rawFile("{" + entry("a", "U8", "[1]", 0, 1) + "," + entry("a", "U8", "[1]", 1, 2) + "}", 2),
        "lists tensor 'a' twice");
}
