// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile and broken files at the engine's edges: no crash, no hang, no overwritten file, and
// memory bounded by the limits in core/input_limits.h. Every offending file is made here, in a
// temporary folder (FIFOs with mkfifo; no system device is ever touched).
#include "checkpoint/ldm_config.h"
#include "io/image_files.h"

#include <gtest/gtest.h>
#include <png.h>
#include <zlib.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ldm {
namespace {

namespace fs = std::filesystem;

class HostileInput : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() /
                ("ldm_tst_hostile_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }
    // Names in the folder other than `keep`: a failed write must leave no temporary behind.
    std::vector<std::string> strayFiles(const std::set<std::string>& keep) const
    {
        std::vector<std::string> stray;
        for (const auto& item : fs::directory_iterator(m_dir))
            if (!keep.count(item.path().filename().string()))
                stray.push_back(item.path().filename().string());
        return stray;
    }

    fs::path m_dir;
};

std::string readAll(const std::string& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

RgbImage noiseImage(int width, int height)
{
    RgbImage image;
    image.width = width;
    image.height = height;
    image.pixels.resize(size_t(width) * size_t(height) * 3);
    uint32_t state = 12345;
    for (auto& p : image.pixels) {
        state = state * 1664525u + 1013904223u;
        p = uint8_t(state >> 24);
    }
    return image;
}

std::string chunk(const char* type, const std::string& data)
{
    std::string out;
    for (int shift : {24, 16, 8, 0})
        out += char((data.size() >> shift) & 0xFF);
    const std::string body = std::string(type, 4) + data;
    out += body;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), uInt(body.size()));
    for (int shift : {24, 16, 8, 0})
        out += char((crc >> shift) & 0xFF);
    return out;
}

// A PNG whose header claims width x height, followed by almost no pixel data.
std::string forgedPng(uint32_t width, uint32_t height)
{
    std::string ihdr;
    for (uint32_t v : {width, height})
        for (int shift : {24, 16, 8, 0})
            ihdr += char((v >> shift) & 0xFF);
    ihdr += std::string("\x08\x02\x00\x00\x00", 5);
    return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
           chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) + chunk("IEND", "");
}

// Runs `call` on a thread; a call that blocks (a FIFO opened for reading waits for a writer)
// fails the test, and the FIFO is then opened for writing so that the thread can finish.
template <typename Call> void expectReturnsPromptly(const std::string& fifo, Call call)
{
    auto done = std::async(std::launch::async, call);
    if (done.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) {
        ADD_FAILURE() << "blocked on the FIFO " << fifo;
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0)
            ::close(writer);
    }
    done.get();
}

TEST_F(HostileInput, OversizedImageIsRefusedFromItsHeader)
{
    std::ofstream(path("huge.png"), std::ios::binary) << forgedPng(30000, 30000);
    for (const auto& result : {readImage(path("huge.png")).error(),
                               readImageSize(path("huge.png")).error()}) {
        EXPECT_EQ(result.code, ErrorCode::InvalidRequest) << result.message;
        EXPECT_NE(result.message.find("too large (30000x30000"), std::string::npos)
            << result.message;
    }
    const auto map = readLabelMap(path("huge.png"), {});
    ASSERT_FALSE(map.ok());
    EXPECT_NE(map.error().message.find("too large"), std::string::npos) << map.error().message;
    std::ofstream(path("strip.png"), std::ios::binary) << forgedPng(1u << 20, 8);
    EXPECT_NE(readImage(path("strip.png")).error().message.find("too large"), std::string::npos);
}

TEST_F(HostileInput, TinyImageSaysTooSmall)
{
    ASSERT_TRUE(writePng(path("tiny.png"), noiseImage(4, 5)).ok());
    const auto image = readImage(path("tiny.png"));
    ASSERT_FALSE(image.ok());
    EXPECT_NE(image.error().message.find("too small (4x5, at least 8 px)"), std::string::npos)
        << image.error().message;
    ASSERT_TRUE(writePng(path("ok.png"), noiseImage(8, 9)).ok());
    const auto ok = readImage(path("ok.png"));
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->pixels, noiseImage(8, 9).pixels);
}

TEST_F(HostileInput, FifoIsNeverOpenedForReading)
{
    const std::string fifo = path("pipe.png");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    expectReturnsPromptly(fifo, [&] { EXPECT_FALSE(readImage(fifo).ok()); });
    expectReturnsPromptly(fifo, [&] { EXPECT_FALSE(readImageSize(fifo).ok()); });
    expectReturnsPromptly(fifo, [&] { EXPECT_FALSE(readPngText(fifo).ok()); });
    expectReturnsPromptly(fifo, [&] {
        const auto map = readLabelMap(fifo, {});
        ASSERT_FALSE(map.ok());
        EXPECT_NE(map.error().message.find("not a regular file"), std::string::npos)
            << map.error().message;
    });
}

// An Adam7 indexed PNG as a paint program may save it.
void writeInterlacedMap(const std::string& file, const LabelMap& map)
{
    FILE* out = std::fopen(file.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, out);
    png_set_IHDR(png, info, png_uint_32(map.width), png_uint_32(map.height), 8,
                 PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_ADAM7, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    std::vector<png_color> palette(16);
    for (size_t i = 0; i < palette.size(); ++i)
        palette[i] = png_color{png_byte(i * 16), png_byte(255 - i * 16), png_byte(i)};
    png_set_PLTE(png, info, palette.data(), int(palette.size()));
    png_write_info(png, info);
    std::vector<png_bytep> rows;
    for (int y = 0; y < map.height; ++y)
        rows.push_back(const_cast<png_bytep>(map.ids.data()) + size_t(y) * size_t(map.width));
    png_write_image(png, rows.data()); // writes all seven passes
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    std::fclose(out);
}

TEST_F(HostileInput, InterlacedIndexedMapIsReadCorrectly)
{
    LabelMap map;
    map.width = 37;
    map.height = 23;
    for (int y = 0; y < map.height; ++y)
        for (int x = 0; x < map.width; ++x)
            map.ids.push_back(uint8_t((x + 3 * y) % 7));
    writeInterlacedMap(path("interlaced.png"), map);
    const auto read = readLabelMap(path("interlaced.png"), {});
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->width, map.width);
    EXPECT_EQ(read->height, map.height);
    EXPECT_EQ(read->ids, map.ids);
}

TEST_F(HostileInput, BadClassColoursAreErrorsNotExceptions)
{
    LabelMap map;
    map.width = map.height = 8;
    map.ids.assign(64, 0);
    const std::vector<ClassInfo> bad = {{0, "water", "blue"}};
    EXPECT_EQ(writeLabelMap(path("map.png"), map, bad).error().code, ErrorCode::InvalidRequest);
    ASSERT_TRUE(writeLabelMap(path("map.png"), map, {{0, "water", "#0000ff"}}).ok());
    const auto read = readLabelMap(path("map.png"), {{0, "water", "#zz"}});
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("#rrggbb"), std::string::npos) << read.error().message;
}

TEST_F(HostileInput, BadClassMetadataIsAClearInvalidFile)
{
    for (const char* classes : {R"([{"id": "x", "name": "water", "color": "#0000ff"}])",
                                R"([{"id": 1, "name": 5, "color": "#0000ff"}])",
                                R"([{"id": 1, "name": "water", "color": "blue"}])",
                                R"([{"id": 300, "name": "water", "color": "#0000ff"}])",
                                R"([3])", R"({"id": 1})"}) {
        const auto config = LdmConfig::fromMetadata({{"classes", classes}});
        ASSERT_FALSE(config.ok()) << classes;
        EXPECT_EQ(config.error().code, ErrorCode::InvalidFile) << classes;
        EXPECT_NE(config.error().message.find("metadata 'classes'"), std::string::npos)
            << config.error().message;
    }
    const auto good = LdmConfig::fromMetadata(
        {{"classes", R"([{"id": 2, "name": "water", "color": "#0000FF"}])"}});
    ASSERT_TRUE(good.ok()) << good.error().message;
    ASSERT_EQ(good->classes.size(), 1u);
    EXPECT_EQ(good->classes[0].id, 2);
}

TEST_F(HostileInput, WriteRefusesToReplaceAnythingButARegularFile)
{
    const RgbImage image = noiseImage(16, 16);
    ASSERT_EQ(::mkfifo(path("fifo.png").c_str(), 0600), 0);
    fs::create_directory(path("folder.png"));
    std::ofstream(path("real.png")) << "keep me";
    fs::create_symlink(path("real.png"), path("link.png"));
    for (const char* name : {"fifo.png", "folder.png", "link.png"}) {
        for (const auto& error :
             {writePng(path(name), image).error(), checkOutputFile(path(name)).error()}) {
            EXPECT_EQ(error.code, ErrorCode::InvalidRequest) << name;
            EXPECT_NE(error.message.find("refusing to write"), std::string::npos) << error.message;
            EXPECT_EQ(error.message.find("Success"), std::string::npos) << error.message;
        }
    }
    EXPECT_NE(writePng(path("link.png"), image).error().message.find("symbolic link"),
              std::string::npos);
    EXPECT_TRUE(fs::is_fifo(path("fifo.png")));
    EXPECT_TRUE(fs::is_directory(path("folder.png")));
    EXPECT_TRUE(fs::is_symlink(path("link.png")));
    EXPECT_EQ(readAll(path("real.png")), "keep me");
    EXPECT_EQ(strayFiles({"fifo.png", "folder.png", "real.png", "link.png"}),
              std::vector<std::string>{});

    const auto missing = checkOutputFile(path("no-such-folder/out.png"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos)
        << missing.error().message;
    ASSERT_TRUE(writePng(path("real.png"), image).ok()); // a regular file is replaced
    EXPECT_EQ(readImage(path("real.png"))->pixels, image.pixels);
}

TEST_F(HostileInput, FailedWriteKeepsTheOldFileAndLeavesNoTemporary)
{
    std::ofstream(path("out.png")) << "previous image";
    // A file size limit makes write() fail with EFBIG part-way through, like a full disk.
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const auto written = writePng(path("out.png"), noiseImage(128, 128));
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);
    ASSERT_FALSE(written.ok());
    EXPECT_NE(written.error().message.find("File too large"), std::string::npos)
        << written.error().message;
    EXPECT_EQ(readAll(path("out.png")), "previous image");
    EXPECT_EQ(strayFiles({"out.png"}), std::vector<std::string>{});
}

} // namespace
} // namespace ldm
