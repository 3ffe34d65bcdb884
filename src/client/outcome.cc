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

}  // namespace cbit::client
