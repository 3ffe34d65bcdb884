// How a client step ended, as one named set with fixed numbers (like
// icecream's exitcode.h). "The package failed to build" must never look like
// "the build machine failed": only the second is worth retrying elsewhere, and
// a dependency wait is retried later on any machine.
#pragma once

#include <string>
#include <string_view>

namespace cbit::client {

/// The value is also the exit code of a one-job client run.
enum class Outcome : int {
  kBuilt = 0,                 ///< the step succeeded (for a build: the package was built)
  kBuildFailed = 1,           ///< the package itself failed to build → job Failed
  kDependencyWait = 2,        ///< build-dependencies unsatisfiable now → job Blocked
  kInfrastructureFailed = 3,  ///< fetch, chroot, upload or a missing tool → job Failed
  kCancelled = 4,             ///< stopped by a CancelRequest → job Cancelled
};

/// A stable lower-case name for logs: "built", "build-failed", …
std::string_view OutcomeName(Outcome o);

/// The job status (core/model.h status::) a daemon reports for a finished job.
const char* JobStatusFor(Outcome o);

/// The result of one step: its outcome and, when it failed, why.
struct StepResult {
  Outcome outcome = Outcome::kBuilt;
  std::string detail;
  bool ok() const { return outcome == Outcome::kBuilt; }
};

}  // namespace cbit::client
