#include "tests/support/postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "store/db.h"
#include "tests/support/fixture.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

const std::string kScript = CBIT_SOURCE_DIR "/scripts/pg-cluster.sh";

// A port the kernel just handed out and released; another process could take
// it before PostgreSQL binds it, so the caller retries on failure.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string LastLine(const std::string& s) {
  std::size_t end = s.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  std::size_t start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

std::string StartCluster() {
  const std::string dir = ScratchDir("pg");
  // Registered before starting, so even a half-started server is stopped.
  // The data (hundreds of MB of test databases) goes too; the log stays.
  AtTestExit([dir] {
    RunCommand({.argv = {kScript, "stop", dir}});
    std::error_code ignored;
    std::filesystem::remove_all(dir + "/data", ignored);
  });
  std::string errors;
  for (int attempt = 0; attempt < 3; ++attempt) {
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
