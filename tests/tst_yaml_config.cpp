// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile and broken config.yaml files get a clear error in bounded time and memory.
#include "checkpoint/yaml_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

namespace ldm {
namespace {

TEST(YamlConfig, SelfReferencingAliasIsRefused)
{
    auto parsed = parseYamlAsJson("x: &a [*a]\n");
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("deeper"), std::string::npos) << parsed.error().message;
}

TEST(YamlConfig, BillionLaughsIsRefused)
{
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (char c = 'b'; c <= 'j'; ++c)
        text += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) +
                ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
                char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
                ", *" + char(c - 1) + "]\n";
    ASSERT_LT(text.size(), 1000u);
    auto parsed = parseYamlAsJson(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("expands"), std::string::npos)
        << parsed.error().message;
}

TEST(YamlConfig, OrdinaryAliasesStillWork)
{
    auto parsed = parseYamlAsJson("base: &b {ch: 64}\nmodel: {params: *b}\n");
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ((*parsed)["model"]["params"]["ch"], 64);
}

// Found by fuzzing: a string that is not UTF-8 (or leading NULs, read as UTF-32) parsed, and
// the first dump() of the JSON threw.
TEST(YamlConfig, TextThatIsNotUtf8IsRefused)
{
    for (const std::string& text : {std::string("n: \xff\n"), std::string("a: \xc0\xaf\n"),
                                    std::string("b: \xed\xa0\x80\n"), std::string("c: \xe2\x82"),
                                    std::string("\0\0\0\nl:\n\x1f"
                                                "ea",
                                                10)}) {
        const auto parsed = parseYamlAsJson(text);
        ASSERT_FALSE(parsed.ok());
        EXPECT_NE(parsed.error().message.find(text[0] ? "not UTF-8 text (byte 3 " : "(byte 0 "),
                  std::string::npos)
            << parsed.error().message;
    }
    const auto accented = parseYamlAsJson("name: \xc3\xa9t\xc3\xa9 \xf0\x9f\x8c\x84\n");
    ASSERT_TRUE(accented.ok()) << accented.error().message;
    EXPECT_EQ((*accented)["name"].dump(), "\"\xc3\xa9t\xc3\xa9 \xf0\x9f\x8c\x84\"");
}

TEST(YamlConfig, NonRegularFilesAreRefusedWithoutBlocking)
{
    const auto dir = std::filesystem::temp_directory_path() /
                     ("ldm-yaml-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto fifo = dir / "config.yaml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto parsed = readYamlAsJson(fifo.string()); // would block forever in open() otherwise
    EXPECT_FALSE(parsed.ok());
    auto missing = readYamlAsJson((dir / "absent.yaml").string());
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
    std::filesystem::remove_all(dir);
}

} // namespace
} // namespace ldm
