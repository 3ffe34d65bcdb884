#include "client/build.h"

#include <filesystem>

#include "client/classify.h"
#include "client/package_files.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

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

  Outcome outcome;
  if (config.kind == BuilderKind::kHost) {
    outcome = ClassifyDpkgBuildpackage(runner.Run(HostCommand(job, tree.string()), sink, cancel));
  } else {
    // sbuild builds from a .dsc, so the tree is packed first.
    Command pack;
    pack.argv = {"dpkg-source", "--build", tree.filename().string()};
    pack.cwd = build_dir;
    CommandResult packed = runner.Run(pack, sink, cancel);
    if (!packed.ok()) {
      Outcome o = packed.cancelled ? Outcome::kCancelled : Outcome::kBuildFailed;
      return {ResultOf(o, "dpkg-source"), ""};
    }
    outcome = ClassifySbuild(runner.Run(SbuildCommand(job, build_dir, config), sink, cancel));
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
