// The unit tests' temporary directories go when the test is done with them,
// also when it stops at a failed assertion.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "testing/test_dir.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;

TEST(TestDir, IsFreshAndGoesWithEverythingInIt) {
  fs::path path;
  {
    TestDir dir;
    path = dir.path();
    ASSERT_TRUE(fs::is_directory(path));
    EXPECT_TRUE(fs::is_empty(path));
    fs::create_directories(path / "a/b");
    std::ofstream(path / "a/b/f") << "x";
    fs::permissions(path / "a/b/f", fs::perms::owner_read);
  }
  EXPECT_FALSE(fs::exists(path));
}

fs::path g_path;  // EXPECT_FATAL_FAILURE's statement sees no locals

void FailsHalfway() {
  TestDir dir;
  g_path = dir.path();
  std::ofstream(g_path / "f") << "x";
  ASSERT_TRUE(false) << "stops here";
}

TEST(TestDir, GoesWhenAnAssertionFails) {
  EXPECT_FATAL_FAILURE(FailsHalfway(), "stops here");
  ASSERT_FALSE(g_path.empty());
  EXPECT_FALSE(fs::exists(g_path));
}

TEST(TestDir, TwoInOneTestDiffer) {
  TestDir a, b;
  EXPECT_NE(a.path(), b.path());
}

}  // namespace
}  // namespace cbit::testing
