#include "client/classify.h"

#include <string>
#include <string_view>

namespace cbit::client {
namespace {

// The value of the last "Key: value" line starting a line in `text`.
std::string_view LastField(std::string_view text, std::string_view key) {
  std::string needle = "\n" + std::string(key) + ": ";
  auto pos = text.rfind(needle);
  if (pos == std::string_view::npos) return {};
  pos += needle.size();
  auto eol = text.find('\n', pos);
  return text.substr(pos, eol == std::string_view::npos ? text.npos : eol - pos);
}

bool Contains(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

// 127 is RunCommand's (and the shell's) "could not execute".
constexpr int kNotExecuted = 127;

}  // namespace

Outcome ClassifyDpkgBuildpackage(const CommandResult& r) {
  if (r.cancelled) return Outcome::kCancelled;
  if (r.ok()) return Outcome::kBuilt;
  if (r.timed_out || r.exit_code == kNotExecuted) return Outcome::kInfrastructureFailed;
  if (Contains(r.output, "Unmet build dependencies")) return Outcome::kDependencyWait;
  return Outcome::kBuildFailed;
}

Outcome ClassifySbuild(const CommandResult& r) {
  if (r.cancelled) return Outcome::kCancelled;
  std::string_view out = r.output;
  std::string_view status = LastField(out, "Status");
  std::string_view stage = LastField(out, "Fail-Stage");
  if (r.ok() && (status == "successful" || status.empty())) return Outcome::kBuilt;
  if (r.timed_out || r.exit_code == kNotExecuted) return Outcome::kInfrastructureFailed;
  // install-deps also fails when the mirror is unreachable; only apt's or
  // dose3's verdict on the dependencies makes it a dependency wait.
  if (stage == "install-deps" &&
      (Contains(out, "build dependencies not satisfied") || Contains(out, "unsat-dependency") ||
       Contains(out, "is not installable"))) {
    return Outcome::kDependencyWait;
  }
  if (stage == "build" || status == "attempted") return Outcome::kBuildFailed;
  return Outcome::kInfrastructureFailed;
}

}  // namespace cbit::client
