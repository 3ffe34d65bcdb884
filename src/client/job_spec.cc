#include "client/job_spec.h"

#include "client/rules_target.h"
#include "core/debian.h"
#include "core/transport_check.h"

namespace cbit::client {
std::optional<std::string> JobSpec::Validate() const {
  if (!debian::IsPackageName(package)) return "invalid package name: " + package;
  if (!debian::IsVersion(version)) return "invalid version: " + version;
  if (!debian::IsToken(suite)) return "invalid suite: " + suite;
  if (!debian::IsArch(arch)) return "invalid architecture: " + arch;
  if (!debian::IsToken(dist)) return "invalid distribution: " + dist;
  if (!debian::IsToken(format)) return "invalid format: " + format;
  if (build_env && !debian::IsToken(*build_env)) return "invalid build environment: " + *build_env;
  // Local paths are the controller's to refuse (controller.allow_local_uris):
  // a client beside its controller builds from the farm's own repositories.
  if (auto problem = TransportProblem(transport, LocalUris::kAllowed)) return *problem;
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
