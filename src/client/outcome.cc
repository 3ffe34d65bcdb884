#include "client/outcome.h"

#include "core/model.h"

namespace cbit::client {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kBuilt:
      return "built";
    case Outcome::kBuildFailed:
      return "build-failed";
    case Outcome::kDependencyWait:
      return "dependency-wait";
    case Outcome::kInfrastructureFailed:
      return "infrastructure-failed";
    case Outcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

const char* JobStatusFor(Outcome o) {
  switch (o) {
    case Outcome::kBuilt:
      return status::kDone;
    case Outcome::kDependencyWait:
      return status::kBlocked;
    case Outcome::kCancelled:
      return status::kCancelled;
    case Outcome::kBuildFailed:
    case Outcome::kInfrastructureFailed:
      return status::kFailed;
  }
  return status::kFailed;
}

std::string_view FailureClassName(FailureClass c) {
  switch (c) {
    case FailureClass::kNone:
      return "none";
    case FailureClass::kTimeout:
      return "timeout";
    case FailureClass::kNetwork:
      return "network";
    case FailureClass::kChrootMissing:
      return "chroot-missing";
    case FailureClass::kChrootFailed:
      return "chroot-failed";
    case FailureClass::kToolchainMissing:
      return "toolchain-missing";
    case FailureClass::kDiskFull:
      return "disk-full";
    case FailureClass::kUpload:
      return "upload";
    case FailureClass::kInfrastructure:
      return "infrastructure";
    case FailureClass::kBuild:
      return "build";
    case FailureClass::kDependencyWait:
      return "dependency-wait";
    case FailureClass::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

bool Retryable(FailureClass c) {
  return c == FailureClass::kNetwork || c == FailureClass::kChrootMissing ||
         c == FailureClass::kChrootFailed || c == FailureClass::kToolchainMissing ||
         c == FailureClass::kDiskFull || c == FailureClass::kUpload;
}

FailureClass ClassOf(const StepResult& r) {
  if (r.failure != FailureClass::kNone) return r.failure;
  switch (r.outcome) {
    case Outcome::kBuilt:
      return FailureClass::kNone;
    case Outcome::kBuildFailed:
      return FailureClass::kBuild;
    case Outcome::kDependencyWait:
      return FailureClass::kDependencyWait;
    case Outcome::kInfrastructureFailed:
      return FailureClass::kInfrastructure;
    case Outcome::kCancelled:
      return FailureClass::kCancelled;
  }
  return FailureClass::kInfrastructure;
}

}  // namespace cbit::client
