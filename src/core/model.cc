#include "core/model.h"

namespace cbit {

bool status::IsFinished(std::string_view name) {
  return name == kUploaded || name == kDone || name == kCancelled;
}

bool status::IsBuiltIn(std::string_view name) {
  for (const char* s : {kWaiting, kBlocked, kCancelled, kBuilding, kFailed, kUploaded, kDone})
    if (name == s) return true;
  return false;
}

std::string RoutingKey(const PackageInstance& pi) {
  return pi.dist.name + "." + pi.arch.name + "." + pi.suite.name + "." + pi.format.name;
}

std::string QueueName(const PackageInstance& pi) {
  return pi.dist.name + "_" + pi.arch.name + "_" + pi.suite.name + "_" + pi.format.name;
}

}  // namespace cbit
