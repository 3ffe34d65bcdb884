#include "client/build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "client/classify.h"
#include "client/deadline.h"
#include "client/isolated.h"
#include "client/package_files.h"
#include "client/rules_target.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

// The request's debian/rules targets (pyBit's `commands`), in the tree, in
// order; nullopt when every one succeeded. JobSpec::Validate has checked
// each entry names a target.
std::optional<StepResult> RunRulesTargets(const JobSpec& job, const fs::path& tree,
                                          const StepDeadline& deadline, Runner& runner,
                                          const LogSink& sink, const CancelHook& cancel) {
  for (const auto& entry : job.commands) {
    std::string target = RulesTarget(entry).value_or("");
    Command cmd;
    cmd.argv = {"fakeroot", "debian/rules", target};
    cmd.cwd = tree.string();
    CommandResult r = runner.Run(deadline.Apply(cmd), sink, cancel);
    if (r.ok()) continue;
    std::string what = "debian/rules " + target;
    if (auto failed = MachineFailure(r, what, deadline)) return failed;
    if (r.exit_code == 127) {
      return StepResult{Outcome::kInfrastructureFailed, what + ": fakeroot could not be run"};
    }
    return StepResult{Outcome::kBuildFailed, what + " exited with " + std::to_string(r.exit_code)};
  }
  return std::nullopt;
}

StepResult ResultOf(Outcome o, const std::string& what) {
  if (o == Outcome::kBuilt) return {};
  return {o, what + ": " + std::string(OutcomeName(o))};
}

Command HostCommand(const JobSpec& job, const std::string& source_dir) {
  Command cmd;
  // -F: source, arch:all and arch:any; -B: arch:any only, as a non-master
  // client must not upload what the master of this suite builds.
  cmd.argv = {"dpkg-buildpackage", "-us", "-uc", job.master ? "-F" : "-B"};
  cmd.cwd = source_dir;
  return cmd;
}

std::string ChrootTarball(const JobSpec& job, const BuildConfig& config) {
  return (fs::path(config.chroot_dir) / (job.ChrootName() + "-" + job.arch + ".tar")).string();
}

Command SbuildCommand(const JobSpec& job, const std::string& build_dir, const BuildConfig& config) {
  Command cmd;
  cmd.argv = {"sbuild"};
  if (config.kind == BuilderKind::kSbuildUnshare) {
    cmd.argv.insert(cmd.argv.end(),
                    {"--chroot-mode=unshare", "--chroot=" + ChrootTarball(job, config)});
  } else {
    cmd.argv.insert(cmd.argv.end(), {"--chroot-mode=schroot", "--chroot=" + job.ChrootName()});
  }
  // --nolog keeps the whole build log on stdout, where the sink gets it.
  cmd.argv.insert(cmd.argv.end(),
                  {"--dist=" + job.suite, "--arch=" + job.arch, "--nolog", "--no-run-lintian",
                   "--no-run-autopkgtest", "--build-dir=" + build_dir});
  if (job.master) {
    cmd.argv.insert(cmd.argv.end(), {"--arch-all", "--source"});
  } else {
    cmd.argv.push_back("--no-arch-all");
  }
  cmd.argv.push_back((fs::path(build_dir) / DscFileName(job.package, job.version)).string());
  cmd.cwd = build_dir;
  return cmd;
}

// The builder itself (dpkg-buildpackage, or dpkg-source then sbuild);
// nullopt when it built the package.
std::optional<StepResult> RunBuilder(const JobSpec& job, const fs::path& tree,
                                     const BuildConfig& config, const StepDeadline& deadline,
                                     Runner& runner, const LogSink& sink,
                                     const CancelHook& cancel) {
  if (config.kind == BuilderKind::kHost) {
    CommandResult r = runner.Run(deadline.Apply(HostCommand(job, tree.string())), sink, cancel);
    if (auto failed = MachineFailure(r, "dpkg-buildpackage", deadline)) return failed;
    Outcome o = ClassifyDpkgBuildpackage(r);
    if (o == Outcome::kBuilt) return std::nullopt;
    return ResultOf(o, "build");
  }
  if (config.kind == BuilderKind::kIsolated) {
    return RunIsolated(job, tree, config, deadline, runner, sink, cancel);
  }
  std::string build_dir = tree.parent_path().string();
  if (config.kind == BuilderKind::kSbuildUnshare && runner.RunsCommands()) {
    std::string tarball = ChrootTarball(job, config);
    if (!fs::exists(tarball)) {
      return StepResult{Outcome::kInfrastructureFailed, "no chroot tarball " + tarball,
                        FailureClass::kChrootMissing};
    }
  }
  // sbuild builds from a .dsc, so the tree is packed first.
  Command pack;
  pack.argv = {"dpkg-source", "--build", tree.filename().string()};
  pack.cwd = build_dir;
  CommandResult packed = runner.Run(deadline.Apply(pack), sink, cancel);
  if (auto failed = MachineFailure(packed, "dpkg-source", deadline)) return failed;
  if (!packed.ok()) return ResultOf(Outcome::kBuildFailed, "dpkg-source");
  CommandResult r = runner.Run(deadline.Apply(SbuildCommand(job, build_dir, config)), sink, cancel);
  if (auto failed = MachineFailure(r, "sbuild", deadline)) return failed;
  Outcome o = ClassifySbuild(r);
  if (o == Outcome::kBuilt) return std::nullopt;
  if (o == Outcome::kInfrastructureFailed && SaysChrootMissing(r.output)) {
    return StepResult{o, "sbuild: chroot " + job.ChrootName() + " not found",
                      FailureClass::kChrootMissing};
  }
  return ResultOf(o, "build");
}

}  // namespace

BuildResult Build(const JobSpec& job, const std::string& source_dir, const BuildConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel) {
  if (auto problem = job.Validate()) {
    return {{Outcome::kInfrastructureFailed, "refused: " + *problem}, ""};
  }
  fs::path tree = fs::absolute(source_dir).lexically_normal();
  std::string build_dir = tree.parent_path().string();
  StepDeadline deadline(config.timeout, "build");

  if (!job.commands.empty()) {
    // pyBit ran them inside its build chroot. sbuild has no chroot before
    // the source package exists, and on the host they would run the
    // package's own code outside the isolation sbuild was chosen for.
    if (config.kind != BuilderKind::kHost) {
      return {{Outcome::kInfrastructureFailed,
               "the request's debian/rules targets run only on a client with builder \"host\""},
              ""};
    }
    if (auto failed = RunRulesTargets(job, tree, deadline, runner, sink, cancel)) {
      return {*failed, ""};
    }
  }

  if (auto failed = RunBuilder(job, tree, config, deadline, runner, sink, cancel)) {
    return {*failed, ""};
  }
  std::string expected =
      (fs::path(build_dir) / (job.package + "_" + std::string(VersionWithoutEpoch(job.version)) +
                              "_" + job.arch + ".changes"))
          .string();
  if (!runner.RunsCommands()) return {{}, expected};
  auto changes = FindChanges(build_dir, job.package, job.version, job.arch);
  if (!changes) return {{Outcome::kInfrastructureFailed, "no .changes file in " + build_dir}, ""};
  return {{}, *changes};
}

}  // namespace cbit::client
