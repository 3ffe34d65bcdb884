// A cbit-client process for end-to-end tests: the real binary with a config
// written for one test, its log in a file, stopped by SIGTERM (or killed) by
// PID, and killed at the latest when the test binary ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace cbit::testing {

struct ClientSetup {
  std::string clientid;
  std::vector<std::string> suites;
  int controller_port = 0;
  int amqp_port = 0;
  std::string builder = "host";  ///< "host" | "sbuild" (unshare, chroot_dir below)
  std::string chroot_dir;
  bool dry_run = false;
  std::string incoming;         ///< dput copies uploads here
  std::string token;            ///< an API token for the controller; empty: the admin's password
  int lease_renew_seconds = 0;  ///< 0: the client's default
  int heartbeat_seconds = 0;    ///< 0: the client's default
  /// A JSON object whose keys are added to the config, replacing those
  /// written above (time limits, a dput target of the test's own).
  std::string extra_config;
  std::string log_level = "debug";
  /// controller_url as a list (failover); empty: controller_port's URL alone.
  std::vector<std::string> controller_urls;
};

class ClientProcess {
 public:
  /// Writes the config and a dput.cf under a scratch directory and starts
  /// the client. Throws std::runtime_error when it cannot.
  explicit ClientProcess(const ClientSetup& setup);
  /// Stops the client if it still runs.
  ~ClientProcess();
  ClientProcess(const ClientProcess&) = delete;
  ClientProcess& operator=(const ClientProcess&) = delete;

  /// SIGTERM, then waits for it to exit; returns its exit status (or
  /// 128+signal). Idempotent.
  int Stop();
  /// SIGKILL, then waits for it.
  void Kill();
  /// What the client has logged so far.
  std::string Log() const;
  /// Waits until the log contains `text`; false at the deadline.
  bool WaitForLog(const std::string& text, std::chrono::seconds deadline) const;
  pid_t pid() const { return child_->pid(); }

 private:
  std::optional<ChildProcess> child_;  ///< engaged once the config is written
};

}  // namespace cbit::testing
