#include "tests/support/fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;

std::mutex g_mu;
std::vector<std::function<void()>>& Hooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
}

// Guarded by g_mu.
struct Owners {
  std::optional<std::string> test;     // the running test's name
  std::vector<fs::path> test_dirs;     // made during it
  std::vector<fs::path> program_dirs;  // made outside a test
  std::optional<bool> program_failed;  // unknown: keep everything
};
Owners& Owned() {
  static Owners owners;
  return owners;
}

const fs::path& Root() {
  static const fs::path root = fs::path(CBIT_BINARY_DIR) / "test-tmp";
  return root;
}

fs::path MakeDir(const std::string& what) {
  static std::atomic<int> counter{0};
  fs::path dir =
      Root() / (what + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  // Another test program may remove the (empty) root meanwhile: try again.
  std::error_code ec;
  if (!fs::create_directories(dir, ec) && ec) fs::create_directories(dir);
  return dir;
}

void Discard(const fs::path& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

}  // namespace

void AtTestExit(std::function<void()> fn) {
  std::lock_guard lock(g_mu);
  Hooks().push_back(std::move(fn));
}

void RunExitHooks() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(g_mu);
    hooks.swap(Hooks());
  }
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)();

  std::vector<fs::path> dirs;
  std::optional<bool> failed;
  {
    std::lock_guard lock(g_mu);
    dirs.swap(Owned().program_dirs);
    failed = Owned().program_failed;
  }
  // Unknown outcome: an interrupted run, or a program without the listener.
  for (const fs::path& dir : dirs) {
    if (failed == false) {
      Discard(dir);
    } else {
      std::fprintf(stderr, "[ scratch  ] kept %s%s\n", dir.c_str(),
                   failed ? " (a test failed)" : "");
    }
  }
  if (failed != false) return;
  std::error_code ignored;
  fs::remove(Root(), ignored);  // only when empty: other programs may use it
}

std::string ScratchDir(const std::string& what) {
  fs::path dir = MakeDir(what);
  std::lock_guard lock(g_mu);
  (Owned().test ? Owned().test_dirs : Owned().program_dirs).push_back(dir);
  return dir.string();
}

std::string ProgramScratchDir(const std::string& what) {
  fs::path dir = MakeDir(what);
  std::lock_guard lock(g_mu);
  Owned().program_dirs.push_back(dir);
  return dir.string();
}

void BeginTestScratch(const std::string& name) {
  std::lock_guard lock(g_mu);
  Owned().test = name;
  Owned().test_dirs.clear();
}

void EndTestScratch(bool failed) {
  std::vector<fs::path> dirs;
  std::string name;
  {
    std::lock_guard lock(g_mu);
    dirs.swap(Owned().test_dirs);
    name = Owned().test.value_or("");
    Owned().test.reset();
  }
  for (const fs::path& dir : dirs) {
    if (failed) {
      std::fprintf(stderr, "[ scratch  ] kept %s (%s failed)\n", dir.c_str(), name.c_str());
    } else {
      Discard(dir);
    }
  }
}

void SetProgramScratchOutcome(bool failed) {
  std::lock_guard lock(g_mu);
  Owned().program_failed = failed;
}

}  // namespace cbit::testing
