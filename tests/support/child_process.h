// A program started by an integration test: its stdout and stderr in a log
// file, stopped by SIGTERM (or killed) by PID, and killed at the latest when
// the test binary ends. ClientProcess and WatcherProcess write a config, then
// run their binary through one of these.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace cbit::testing {

class ChildProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv`, its output going to `log_path`.
  /// Throws std::runtime_error when it cannot.
  ChildProcess(std::vector<std::string> argv, const std::string& log_path);
  /// Stops the child if it still runs.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// SIGTERM, then waits for it to exit; returns its exit status (or
  /// 128+signal). Idempotent.
  int Stop();
  /// SIGKILL, then waits for it.
  void Kill();
  /// What the child has written so far.
  std::string Log() const;
  /// Waits until the log contains `text`; false at the deadline.
  bool WaitForLog(const std::string& text, std::chrono::seconds deadline) const;
  pid_t pid() const { return pid_; }

 private:
  int Wait();
  std::string log_path_;
  pid_t pid_ = -1;
  int status_ = -1;
  /// Read by the exit hook, so it never signals a reaped (reusable) PID.
  std::shared_ptr<std::atomic<bool>> running_ = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace cbit::testing
