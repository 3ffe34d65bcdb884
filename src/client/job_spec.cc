#include "client/job_spec.h"

#include <algorithm>

#include "client/rules_target.h"
#include "core/debian.h"

namespace cbit::client {
namespace {

// A URI or VCS id reaches git, svn and apt as a single argument. Refusing a
// leading '-' means it can never be parsed as an option (`--upload-pack=…`,
// `-oProxyCommand=…`), and refusing control characters and blanks keeps one
// log line per command.
bool IsSafeArgument(std::string_view s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len || s.front() == '-') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= ' ' || u == 0x7f;
  });
}

}  // namespace

std::optional<std::string> JobSpec::Validate() const {
  if (!debian::IsPackageName(package)) return "invalid package name: " + package;
  if (!debian::IsVersion(version)) return "invalid version: " + version;
  if (!debian::IsToken(suite)) return "invalid suite: " + suite;
  if (!debian::IsArch(arch)) return "invalid architecture: " + arch;
  if (!debian::IsToken(dist)) return "invalid distribution: " + dist;
  if (!debian::IsToken(format)) return "invalid format: " + format;
  if (build_env && !debian::IsToken(*build_env)) return "invalid build environment: " + *build_env;
  const auto& t = transport;
  if (t.method != "git" && t.method != "svn" && t.method != "apt") {
    return "unsupported transport method: " + t.method;
  }
  // apt fetches by name and version from the client's own sources list.
  bool uri_used = t.method != "apt" || !t.uri.empty();
  if (uri_used && !IsSafeArgument(t.uri, 4096)) return "unsafe transport uri: " + t.uri;
  if (!t.vcs_id.empty() && !IsSafeArgument(t.vcs_id, 256)) return "unsafe vcs_id: " + t.vcs_id;
  for (const auto& c : commands) {
    if (!RulesTarget(c)) return "command '" + c + "' is not a debian/rules target name";
  }
  return std::nullopt;
}

std::string JobSpec::ChrootName() const { return build_env ? *build_env + "-" + suite : suite; }

JobSpec JobSpecFrom(const BuildRequest& request) {
  const PackageInstance& pi = request.job.instance;
  JobSpec spec;
  spec.package = pi.package.name;
  spec.version = pi.package.version;
  spec.suite = pi.suite.name;
  spec.arch = pi.arch.name;
  spec.dist = pi.dist.name;
  spec.format = pi.format.name;
  if (pi.build_env) spec.build_env = pi.build_env->name;
  spec.master = pi.master;
  spec.transport = request.transport;
  spec.commands = request.commands;
  return spec;
}

}  // namespace cbit::client
