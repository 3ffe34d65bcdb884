#include "tests/support/postgres.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "store/db.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

const std::string kScript = CBIT_SOURCE_DIR "/scripts/pg-cluster.sh";

std::string LastLine(const std::string& s) {
  std::size_t end = s.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  std::size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

std::string StartCluster() {
  const std::string dir = ProgramScratchDir("pg");
  // Registered before starting, so even a half-started server is stopped.
  // The data (hundreds of MB of test databases) goes too; the log stays
  // while a failed test may need it (tests/support/fixture.h).
  AtTestExit([dir] {
    RunCommand({.argv = {kScript, "stop", dir}});
    std::error_code ignored;
    std::filesystem::remove_all(dir + "/data", ignored);
  });
  std::string errors;
  for (int attempt = 0; attempt < 3; ++attempt) {
    // Another program may have bound the port meanwhile: a new one.
    CommandResult r = RunCommand(
        {.argv = {kScript, "start", dir, std::to_string(FreePort()), std::to_string(::getpid())},
         .timeout = std::chrono::seconds(120)});
    if (r.ok()) return LastLine(r.output);
    errors += r.output;
  }
  throw std::runtime_error("cannot start PostgreSQL:\n" + errors);
}

}  // namespace

const std::string& SharedPostgres() {
  static const std::string conninfo = StartCluster();
  return conninfo;
}

std::string FreshPostgresDatabase() {
  static std::atomic<int> counter{0};
  const std::string name = "t_" + std::to_string(counter++);
  auto admin = store::OpenPostgres({.conninfo = SharedPostgres(), .pool_size = 1});
  // Later keywords win in a conninfo string.
  admin->Acquire()->ExecScript("CREATE DATABASE " + name);
  return SharedPostgres() + " dbname=" + name;
}

}  // namespace cbit::testing
