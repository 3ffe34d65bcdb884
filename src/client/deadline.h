// A client step's time limit (fetch, build, upload): every command the step
// runs gets what is left of it, so a step of many commands cannot outlive
// its limit. On expiry RunCommand stops the command's whole process group.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "util/subprocess.h"

namespace cbit::client {

class StepDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  /// Starts now; `limit` zero means none. `step` ("fetch", "build",
  /// "upload") is named in messages.
  StepDeadline(std::chrono::seconds limit, std::string step);

  /// `cmd` with the time left as its timeout (at least 1 ms once run out).
  Command Apply(Command cmd) const;

  /// Why `what` was stopped: "git timed out: the fetch step's limit of 2 s ran out".
  std::string Expired(const std::string& what) const;

 private:
  std::chrono::seconds limit_;
  std::string step_;
  std::optional<Clock::time_point> end_;
};

}  // namespace cbit::client
