#include "client/build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "client/classify.h"
#include "client/package_files.h"
#include "client/rules_target.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// The step's deadline: every command of the step gets what is left of it.
class Deadline {
 public:
  explicit Deadline(std::chrono::seconds budget) {
    if (budget.count() > 0) end_ = Clock::now() + budget;
  }
  Command Apply(Command cmd) const {
    if (end_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*end_ - Clock::now());
      cmd.timeout = std::max(left, std::chrono::milliseconds(1));
    }
    return cmd;
  }

 private:
  std::optional<Clock::time_point> end_;
};

// The request's debian/rules targets (pyBit's `commands`), in the tree, in
// order; nullopt when every one succeeded. JobSpec::Validate has checked
// each entry names a target.
std::optional<StepResult> RunRulesTargets(const JobSpec& job, const fs::path& tree,
                                          const Deadline& deadline, Runner& runner,
                                          const LogSink& sink, const CancelHook& cancel) {
  for (const auto& entry : job.commands) {
    std::string target = RulesTarget(entry).value_or("");
    Command cmd;
    cmd.argv = {"fakeroot", "debian/rules", target};
    cmd.cwd = tree.string();
    CommandResult r = runner.Run(deadline.Apply(cmd), sink, cancel);
    if (r.ok()) continue;
    std::string what = "debian/rules " + target;
    if (r.cancelled) return StepResult{Outcome::kCancelled, what + ": cancelled"};
    if (r.timed_out) return StepResult{Outcome::kInfrastructureFailed, what + ": timed out"};
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

Command SbuildCommand(const JobSpec& job, const std::string& build_dir, const BuildConfig& config) {
  Command cmd;
  cmd.argv = {"sbuild"};
  if (config.kind == BuilderKind::kSbuildUnshare) {
    std::string tarball =
        (fs::path(config.chroot_dir) / (job.ChrootName() + "-" + job.arch + ".tar")).string();
    cmd.argv.insert(cmd.argv.end(), {"--chroot-mode=unshare", "--chroot=" + tarball});
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

}  // namespace

BuildResult Build(const JobSpec& job, const std::string& source_dir, const BuildConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel) {
  if (auto problem = job.Validate()) {
    return {{Outcome::kInfrastructureFailed, "refused: " + *problem}, ""};
  }
  fs::path tree = fs::absolute(source_dir).lexically_normal();
  std::string build_dir = tree.parent_path().string();
  Deadline deadline(config.timeout);

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

  Outcome outcome;
  if (config.kind == BuilderKind::kHost) {
    outcome = ClassifyDpkgBuildpackage(
        runner.Run(deadline.Apply(HostCommand(job, tree.string())), sink, cancel));
  } else {
    // sbuild builds from a .dsc, so the tree is packed first.
    Command pack;
    pack.argv = {"dpkg-source", "--build", tree.filename().string()};
    pack.cwd = build_dir;
    CommandResult packed = runner.Run(deadline.Apply(pack), sink, cancel);
    if (!packed.ok()) {
      Outcome o = packed.cancelled ? Outcome::kCancelled : Outcome::kBuildFailed;
      return {ResultOf(o, "dpkg-source"), ""};
    }
    outcome = ClassifySbuild(
        runner.Run(deadline.Apply(SbuildCommand(job, build_dir, config)), sink, cancel));
  }
  if (outcome != Outcome::kBuilt) return {ResultOf(outcome, "build"), ""};

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
