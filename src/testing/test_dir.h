// A fresh temporary directory per unit test, removed when the test ends,
// also when an assertion fails (RAII: a failed ASSERT returns from the test
// body, and the guard's destructor runs).
//
// It is named after the running test and the process: ctest runs every test
// case as a process of its own, in parallel, so a shared name would race. It
// lives under $TMPDIR (else /tmp).
#pragma once

#include <filesystem>

namespace cbit::testing {

class TestDir {
 public:
  /// Creates the directory, empty (a stale one of the same name goes first).
  TestDir();
  /// Removes the directory and everything in it.
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cbit::testing
