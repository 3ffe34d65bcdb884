#include "testing/test_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <system_error>

namespace cbit::testing {

namespace fs = std::filesystem;

TestDir::TestDir() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "-" + info->name() : "test";
  // Parameterised names hold '/'.
  for (char& c : name)
    if (c == '/') c = '_';
  path_ = fs::temp_directory_path() /
          ("cbit-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TestDir::~TestDir() {
  // Files a test made read-only are still removed: remove_all unlinks them.
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace cbit::testing
