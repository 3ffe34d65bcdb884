#include "tests/support/postgres.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

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

PostgresCluster::PostgresCluster(std::string dir) : dir_(std::move(dir)) {
  AtTestExit([dir = dir_] { RunCommand({.argv = {kScript, "stop", dir}}); });
}

std::string PostgresCluster::Start() {
  if (port_ == 0) port_ = FreePort();
  std::string errors;
  // After a kill the old backends may still hold the shared memory for a
  // moment: PostgreSQL refuses to start until they are gone.
  for (int attempt = 0; attempt < 20; ++attempt) {
    CommandResult r = RunCommand(
        {.argv = {kScript, "start", dir_, std::to_string(port_), std::to_string(::getpid())},
         .timeout = std::chrono::seconds(120)});
    if (r.ok()) return LastLine(r.output);
    errors = r.output;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  throw std::runtime_error("cannot start PostgreSQL:\n" + errors);
}

void PostgresCluster::Stop() { RunCommand({.argv = {kScript, "stop", dir_}}); }

void PostgresCluster::Kill() {
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster) || postmaster <= 0) return;
  ::kill(postmaster, SIGKILL);
  for (int i = 0; i < 100 && ::kill(postmaster, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

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
