// SPDX-License-Identifier: GPL-3.0-or-later
// Load-speed measurement, disabled by default (it writes ~1 GB). Run by hand:
//   LDM_BENCH_MB=1024 ./tst_safetensors --gtest_also_run_disabled_tests --gtest_filter='*Speed*'
// It writes an F32 file in the temp folder, then times open + touching every element (sum over
// all tensors) through the mmap reader against a plain read() of the whole file, both with the
// file evicted from the page cache (cold) and cached (warm). The file is deleted afterwards.
#include "core/safetensors.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Drops this file's pages from the page cache so the next read comes from disk.
void evict(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

double mmapSum(const std::string& path)
{
    const auto file = ldm::io::SafetensorsFile::open(path);
    EXPECT_TRUE(file.ok());
    double total = 0;
    for (const auto& info : file->tensors())
        total += file->tensor(info.name).sum().item<double>();
    return total;
}

// read() of the whole file into one buffer, as a loader without mmap would; with `sum`, then
// the same reduction as the mmap path over the data section.
double readAll(const std::string& path, uint64_t size, bool sum)
{
    // new[] without value-initialisation: zero-filling 1 GB first would dominate the timing.
    std::unique_ptr<float[]> buffer(new float[size / sizeof(float)]);
    const int fd = ::open(path.c_str(), O_RDONLY);
    uint64_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, reinterpret_cast<char*>(buffer.get()) + done, size - done);
        if (n <= 0)
            break;
        done += uint64_t(n);
    }
    ::close(fd);
    EXPECT_EQ(done, size);
    if (!sum)
        return 0;
    uint8_t header[8];
    std::memcpy(header, buffer.get(), 8);
    uint64_t dataStart = 8;
    for (int i = 0; i < 8; ++i)
        dataStart += uint64_t(header[i]) << (8 * i);
    const auto data = torch::from_blob(buffer.get() + dataStart / sizeof(float),
                                       {int64_t((size - dataStart) / sizeof(float))});
    return data.sum().item<double>();
}

} // namespace

TEST(SafetensorsSpeed, DISABLED_OpenAndReadAll)
{
    const char* mbEnv = std::getenv("LDM_BENCH_MB");
    const int64_t megabytes = mbEnv ? std::atoll(mbEnv) : 1024;
    const int64_t perTensor = 16 << 20; // 64 MB of floats per tensor
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("ldm_bench_" + std::to_string(::getpid()) + ".safetensors"))
                                 .string();
    {
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (int64_t i = 0; i < megabytes / 64; ++i)
            tensors.emplace_back("t" + std::to_string(i), torch::rand({perTensor}));
        const auto start = std::chrono::steady_clock::now();
        ASSERT_TRUE(ldm::io::writeSafetensors(path, tensors).ok());
        std::printf("write: %.2f GB/s\n", double(megabytes) / 1024.0 / seconds(start));
    }
    const uint64_t size = std::filesystem::file_size(path);
    const double gb = double(size) / double(1ull << 30);
    const auto report = [&](const char* what, auto&& run) {
        const auto start = std::chrono::steady_clock::now();
        const double sum = run();
        const double s = seconds(start);
        std::printf("%-28s %6.3f s  %6.2f GB/s  (sum %.4g)\n", what, s, gb / s, sum);
    };
    std::printf("file: %.2f GB, torch threads %d\n", gb, torch::get_num_threads());
    const auto openOnly = std::chrono::steady_clock::now();
    ASSERT_TRUE(ldm::io::SafetensorsFile::open(path).ok());
    std::printf("open only (header + mmap): %.3f ms\n", seconds(openOnly) * 1e3);
    for (int round = 0; round < 2; ++round) {
        evict(path);
        report("cold mmap open + sum", [&] { return mmapSum(path); });
        evict(path);
        report("cold read() + sum", [&] { return readAll(path, size, true); });
        evict(path);
        report("cold read() only", [&] { return readAll(path, size, false); });
        report("warm mmap open + sum", [&] { return mmapSum(path); });
        report("warm read() + sum", [&] { return readAll(path, size, true); });
        report("warm read() only", [&] { return readAll(path, size, false); });
    }
    std::filesystem::remove(path);
}
