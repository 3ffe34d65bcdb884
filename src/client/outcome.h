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

/// Why a step failed, finer than its Outcome: the failure class named in the
/// job's history and log, and what decides whether it is retried.
enum class FailureClass {
  kNone,           ///< not failed, or no class finer than the Outcome's
  kTimeout,        ///< a step outlived its time limit; its process group was killed
  kNetwork,        ///< the fetch could not reach the source (resolve, connect, reset)
  kChrootMissing,  ///< the build's chroot (tarball or schroot) does not exist
  /// the chroot exists but its session could not be set up (sbuild's stage
  /// create-session: the tarball not unpacked, the namespace or schroot
  /// session not started); nothing of the package ran
  kChrootFailed,
  /// a cross build's toolchain (crossbuild-essential-<arch>, libc6-dev:<arch>)
  /// is not installed, or the builder cannot cross-build
  kToolchainMissing,
  kDiskFull,        ///< no space left on the build machine
  kUpload,          ///< dput failed: the upload host refused or could not be reached
  kInfrastructure,  ///< any other failure of the build machine or the farm
  kBuild,           ///< the package failed to build
  kDependencyWait,  ///< build-dependencies not satisfiable now
  kCancelled,
};

/// A stable lower-case name: "timeout", "network", "chroot-missing", …
std::string_view FailureClassName(FailureClass c);

/// Failures of the build machine that another try (later, or on another
/// client) may not meet: network, chroot-missing, chroot-failed,
/// toolchain-missing, disk-full, upload.
bool Retryable(FailureClass c);

/// The result of one step: its outcome and, when it failed, why.
struct StepResult {
  Outcome outcome = Outcome::kBuilt;
  std::string detail;
  FailureClass failure = FailureClass::kNone;  ///< kNone: the Outcome's own class
  bool ok() const { return outcome == Outcome::kBuilt; }
};

/// The failure class of `r`: its own, or the one its Outcome implies.
FailureClass ClassOf(const StepResult& r);

}  // namespace cbit::client
