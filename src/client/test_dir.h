// A fresh temporary directory per unit test: ctest runs every test case as a
// process of its own, in parallel, so a shared name would race.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace cbit::client {

inline std::filesystem::path FreshTestDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                              ("cbit-" + std::string(info->test_suite_name()) + "-" + info->name() +
                               "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace cbit::client
