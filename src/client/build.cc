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

Command HostCommand(const JobSpec& job, const std::string& source_dir, ArchMode mode) {
  Command cmd;
  // -F: source, arch:all and arch:any; -B: arch:any only, as a non-master
  // client must not upload what the master of this suite builds.
  cmd.argv = {"dpkg-buildpackage", "-us", "-uc", job.master ? "-F" : "-B"};
  // -a: the host architecture, which dpkg-checkbuilddeps checks the
  // build-dependencies for; the cross and nocheck profiles: what cannot run
  // on the build machine is not built or run.
  if (mode == ArchMode::kCross)
    cmd.argv.insert(cmd.argv.end(), {"-a" + job.arch, "-Pcross,nocheck"});
  cmd.cwd = source_dir;
  return cmd;
}

// The first "Unmet build dependencies: …" line of dpkg-checkbuilddeps, or
// the whole output's last line.
std::string UnmetLine(const std::string& output) {
  auto pos = output.find("Unmet build dependencies: ");
  if (pos == std::string::npos) {
    std::string trimmed = output;
    while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
    auto eol = trimmed.rfind('\n');
    return eol == std::string::npos ? trimmed : trimmed.substr(eol + 1);
  }
  auto eol = output.find('\n', pos);
  return output.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
}

// Before a cross build on the host: is the toolchain for the job's arch
// installed? Without it dpkg-buildpackage fails late and vaguely (no
// compiler, or dpkg-shlibdeps finding no libc of the arch). nullopt: it is.
std::optional<StepResult> CheckCrossToolchain(const JobSpec& job, const fs::path& tree,
                                              const BuildConfig& config,
                                              const StepDeadline& deadline, Runner& runner,
                                              const LogSink& sink, const CancelHook& cancel) {
  Command check;
  check.argv = {"dpkg-checkbuilddeps", "-a" + job.arch, "-d", CrossToolchain(job.arch)};
  check.cwd = tree.string();
  CommandResult r = runner.Run(deadline.Apply(check), sink, cancel);
  if (r.ok()) return std::nullopt;
  if (auto failed = MachineFailure(r, "dpkg-checkbuilddeps", deadline)) return failed;
  if (r.exit_code == 127) {
    return StepResult{Outcome::kInfrastructureFailed, "dpkg-checkbuilddeps could not be run"};
  }
  return StepResult{Outcome::kInfrastructureFailed,
                    "no cross toolchain for " + job.arch + " on " + config.build_arch + " (" +
                        UnmetLine(r.output) + "; install crossbuild-essential-" + job.arch +
                        " and, after dpkg --add-architecture " + job.arch +
                        ", libc6-dev:" + job.arch + ")",
                    FailureClass::kToolchainMissing};
}

// The chroot is of the build machine's arch: a cross build installs the
// host arch's build-dependencies into it.
std::string ChrootTarball(const JobSpec& job, const BuildConfig& config) {
  std::string arch = ModeFor(job.arch, config) == ArchMode::kCross ? config.build_arch : job.arch;
  return (fs::path(config.chroot_dir) / (job.ChrootName() + "-" + arch + ".tar")).string();
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
  cmd.argv.push_back("--dist=" + job.suite);
  if (ModeFor(job.arch, config) == ArchMode::kCross) {
    cmd.argv.insert(cmd.argv.end(), {"--build=" + config.build_arch, "--host=" + job.arch,
                                     "--profiles=cross,nocheck"});
  } else {
    cmd.argv.push_back("--arch=" + job.arch);
  }
  // --nolog keeps the whole build log on stdout, where the sink gets it.
  cmd.argv.insert(cmd.argv.end(), {"--nolog", "--no-run-lintian", "--no-run-autopkgtest",
                                   "--build-dir=" + build_dir});
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
  ArchMode mode = ModeFor(job.arch, config);
  if (config.kind == BuilderKind::kHost) {
    if (mode == ArchMode::kCross) {
      if (auto missing = CheckCrossToolchain(job, tree, config, deadline, runner, sink, cancel)) {
        return missing;
      }
    }
    CommandResult r =
        runner.Run(deadline.Apply(HostCommand(job, tree.string(), mode)), sink, cancel);
    if (auto failed = MachineFailure(r, "dpkg-buildpackage", deadline)) return failed;
    Outcome o = ClassifyDpkgBuildpackage(r);
    if (o == Outcome::kBuilt) return std::nullopt;
    return ResultOf(o, "build");
  }
  if (config.kind == BuilderKind::kIsolated) {
    // A cross build runs in the build arch's root, which `chroot create
    // --cross` gave the toolchain (RunIsolated checks it is there).
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
  // sbuild's unshare mode now and then loses the tar it unpacks the chroot
  // into (SIGPIPE, Fail-Stage create-session) before anything of the package
  // ran: that is tried again at once, a few times, before the attempt fails.
  constexpr int kSessionTries = 3;
  CommandResult r;
  Outcome o = Outcome::kBuilt;
  for (int i = 1; i <= kSessionTries; ++i) {
    r = runner.Run(deadline.Apply(SbuildCommand(job, build_dir, config)), sink, cancel);
    if (auto failed = MachineFailure(r, "sbuild", deadline)) return failed;
    o = ClassifySbuild(r);
    if (o != Outcome::kInfrastructureFailed || !SaysChrootSessionFailed(r.output) ||
        i == kSessionTries) {
      break;
    }
    if (sink) {
      sink("cbit: sbuild could not set up the chroot session (try " + std::to_string(i) + " of " +
           std::to_string(kSessionTries) + "); trying again\n");
    }
  }
  if (o == Outcome::kBuilt) return std::nullopt;
  if (o == Outcome::kInfrastructureFailed && SaysChrootMissing(r.output)) {
    return StepResult{o, "sbuild: chroot " + job.ChrootName() + " not found",
                      FailureClass::kChrootMissing};
  }
  if (o == Outcome::kInfrastructureFailed && SaysChrootSessionFailed(r.output)) {
    return StepResult{o,
                      "sbuild: the session of chroot " + job.ChrootName() +
                          " could not be set up (" + std::to_string(kSessionTries) + " tries)",
                      FailureClass::kChrootFailed};
  }
  return ResultOf(o, "build");
}

}  // namespace

ArchMode ModeFor(const std::string& arch, const BuildConfig& config) {
  if (config.build_arch.empty() || arch == config.build_arch || arch == "all") {
    return ArchMode::kNative;
  }
  for (const auto& a : config.cross_arches) {
    if (a == arch) return ArchMode::kCross;
  }
  return ArchMode::kRefused;
}

std::string CrossToolchain(const std::string& arch) {
  // libc6-dev of the host arch: dpkg-shlibdeps reads its libc's symbols.
  return "crossbuild-essential-" + arch + ":native, libc6-dev:" + arch;
}

BuildResult Build(const JobSpec& job, const std::string& source_dir, const BuildConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel) {
  if (auto problem = job.Validate()) {
    return {{Outcome::kInfrastructureFailed, "refused: " + *problem}, ""};
  }
  ArchMode mode = ModeFor(job.arch, config);
  if (mode == ArchMode::kRefused) {
    std::string serves = config.build_arch;
    for (const auto& a : config.cross_arches) serves += ", " + a + " (cross)";
    return {{Outcome::kInfrastructureFailed,
             "refused: this client builds " + serves + ", not " + job.arch},
            ""};
  }
  if (mode == ArchMode::kCross) {
    Log(sink, "cross-building for " + job.arch + " on " + config.build_arch + "\n");
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
