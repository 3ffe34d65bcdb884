#include "client/classify.h"

#include <algorithm>
#include <array>
#include <cctype>
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

// `text` in lower case, for matching messages whose case varies by tool.
std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool SaysDiskFull(std::string_view output) {
  return Contains(output, "No space left on device") || Contains(output, "Disk quota exceeded");
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

std::optional<StepResult> MachineFailure(const CommandResult& r, const std::string& what,
                                         const StepDeadline& deadline) {
  if (r.ok()) return std::nullopt;
  if (r.cancelled) return StepResult{Outcome::kCancelled, what + ": cancelled"};
  if (r.timed_out) {
    return StepResult{Outcome::kInfrastructureFailed, deadline.Expired(what),
                      FailureClass::kTimeout};
  }
  if (SaysDiskFull(r.output)) {
    return StepResult{Outcome::kInfrastructureFailed, what + ": no space left on device",
                      FailureClass::kDiskFull};
  }
  return std::nullopt;
}

bool SaysNetworkError(std::string_view output) {
  // git (curl and ssh), svn (serf) and apt's words for an unreachable source.
  static constexpr std::array<std::string_view, 16> kSigns = {"could not resolve",
                                                              "temporary failure resolving",
                                                              "name or service not known",
                                                              "connection refused",
                                                              "connection timed out",
                                                              "connection reset",
                                                              "failed to connect",
                                                              "could not connect",
                                                              "unable to connect",
                                                              "network is unreachable",
                                                              "no route to host",
                                                              "the remote end hung up",
                                                              "early eof",
                                                              "rpc failed",
                                                              "failed to fetch",
                                                              "operation timed out"};
  std::string lower = Lower(output);
  return std::any_of(kSigns.begin(), kSigns.end(),
                     [&](std::string_view s) { return Contains(lower, s); });
}

bool SaysChrootSessionFailed(std::string_view output) {
  return LastField(output, "Fail-Stage") == "create-session";
}

bool SaysChrootMissing(std::string_view output) {
  std::string lower = Lower(output);
  // schroot mode: "Chroot for distribution D, architecture A not found";
  // unshare mode: "Chroot C does not exist", "T does not exist, check
  // $unshare_tarball …".
  return Contains(lower, "chroot not found") ||
         (Contains(lower, "chroot for distribution") && Contains(lower, "not found")) ||
         (Contains(lower, "chroot ") && Contains(lower, "does not exist"));
}

}  // namespace cbit::client
