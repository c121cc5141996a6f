// SPDX-License-Identifier: GPL-3.0-or-later
// A fresh folder for one test's files, removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace ldm::testing {

/// `<temp>/<prefix>_<pid>_<n>`, created empty (n counts the folders of this process).
class TempDir
{
public:
    explicit TempDir(const std::string& prefix)
    {
        static int counter = 0;
        m_path = std::filesystem::temp_directory_path() /
                 (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    /// The path of `name` inside the folder.
    std::string operator/(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

} // namespace ldm::testing
