#include "tests/support/fixture.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <vector>

namespace cbit::testing {
namespace {

std::mutex g_mu;
std::vector<std::function<void()>>& Hooks() {
  static std::vector<std::function<void()>> hooks;
  return hooks;
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
}

std::string ScratchDir(const std::string& what) {
  static std::atomic<int> counter{0};
  namespace fs = std::filesystem;
  fs::path dir = fs::path(CBIT_BINARY_DIR) / "test-tmp" /
                 (what + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace cbit::testing
