// A cbit-watcher process for integration tests: the real binary with a config
// written for one test, its log in a file, stopped by SIGTERM by PID, and
// killed at the latest when the test binary ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace cbit::testing {

struct WatcherSetup {
  std::string incoming, repobase, rule;
  int controller_port = 0;
  int sleeptime = 1;
  std::string token;  ///< an API token for the controller; empty: the admin's password
  /// controller_url as a list (failover); empty: controller_port's URL alone.
  std::vector<std::string> controller_urls;
  std::vector<std::string> args;  ///< more command-line arguments (--metrics-port N)
};

class WatcherProcess {
 public:
  /// Writes the config under a scratch directory and starts the watcher.
  explicit WatcherProcess(const WatcherSetup& setup);
  ~WatcherProcess();
  WatcherProcess(const WatcherProcess&) = delete;
  WatcherProcess& operator=(const WatcherProcess&) = delete;

  /// SIGTERM, then waits; returns its exit status (or 128+signal). Idempotent.
  int Stop();
  /// SIGKILL, then waits: the watcher runs none of its shutdown.
  void Kill();
  std::string Log() const;
  pid_t pid() const { return child_->pid(); }
  /// Waits until the log contains `text`; false at the deadline.
  bool WaitForLog(const std::string& text, std::chrono::seconds deadline) const;

 private:
  std::optional<ChildProcess> child_;  ///< engaged once the config is written
};

}  // namespace cbit::testing
