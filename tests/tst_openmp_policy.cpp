// SPDX-License-Identifier: GPL-3.0-or-later
// The programs set OMP_WAIT_POLICY=PASSIVE before libgomp starts (app/common/openmp_wait_policy.cpp,
// compiled into this test the same way). The test asks libgomp itself which policy it runs with:
// setting the variable in main() would be too late, and this test would then fail.
#include <gtest/gtest.h>

#include <omp.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

/// What omp_display_env() prints, captured from stderr.
std::string openMpEnvironment()
{
    std::fflush(stderr);
    char path[] = "/tmp/ldm_omp_env_XXXXXX";
    const int file = mkstemp(path);
    EXPECT_GE(file, 0);
    const int savedStderr = dup(STDERR_FILENO);
    dup2(file, STDERR_FILENO);
    omp_display_env(0);
    std::fflush(stderr);
    dup2(savedStderr, STDERR_FILENO);
    close(savedStderr);
    close(file);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::remove(path);
    return text.str();
}

} // namespace

TEST(OpenMpPolicy, LibgompStartsWithPassiveWaitsUnlessTheUserChoseOtherwise)
{
    const char* fromUser = std::getenv("OMP_WAIT_POLICY");
    ASSERT_NE(fromUser, nullptr) << "the pre-initialiser did not set OMP_WAIT_POLICY";
    const std::string shown = openMpEnvironment();
    ASSERT_NE(shown.find("OMP_WAIT_POLICY"), std::string::npos) << shown;
    std::string policy = fromUser;
    for (char& c : policy)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_NE(shown.find("OMP_WAIT_POLICY = '" + policy + "'"), std::string::npos) << shown;
}

TEST(OpenMpPolicy, CtestRunsWithoutAUserPolicySoTheDefaultIsPassive)
{
    // tests/CMakeLists.txt runs this test with the variable unset in its environment.
    if (std::getenv("LDM_USER_OMP_WAIT_POLICY_SET"))
        GTEST_SKIP() << "run by hand with a policy of the user's";
    const char* value = std::getenv("OMP_WAIT_POLICY");
    ASSERT_NE(value, nullptr);
    EXPECT_STREQ(value, "PASSIVE");
}
