#include "client/isolated.h"

#include <fstream>
#include <system_error>

#include "client/classify.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

bool Contains(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

std::string AptCache(const BuildConfig& config) {
  if (!config.apt_cache_dir.empty()) return config.apt_cache_dir;
  return (fs::path(config.roots_dir) / "apt-cache").string();
}

// apt-get's words for build-dependencies that cannot be installed from the
// archive as it is now.
bool SaysUnsatisfiable(std::string_view output) {
  for (std::string_view s : {"Unable to satisfy", "unmet dependencies", "Unable to locate package",
                             "has no installation candidate", "is not installable"}) {
    if (Contains(output, s)) return true;
  }
  return false;
}

bool Cross(const JobSpec& job, const BuildConfig& config) {
  return ModeFor(job.arch, config) == ArchMode::kCross;
}

// The command that makes (or, cross, completes) the root a job needs.
std::string CreateHint(const JobSpec& job, const BuildConfig& config) {
  std::string hint = "cbit-client chroot create " + job.suite;
  if (job.ChrootName() != job.suite) hint += " --name " + job.ChrootName();
  hint += " --arch " + RootArch(job, config);
  if (Cross(job, config)) hint += " --cross " + job.arch;
  return hint;
}

}  // namespace

std::string RootArch(const JobSpec& job, const BuildConfig& config) {
  return Cross(job, config) ? config.build_arch : job.arch;
}

fs::path RootFor(const JobSpec& job, const BuildConfig& config) {
  return fs::path(config.roots_dir) / (job.ChrootName() + "-" + RootArch(job, config)) / "current";
}

std::optional<std::string> CrossRootProblem(const fs::path& root, const std::string& arch) {
  std::ifstream in(root / "var/lib/dpkg/arch");
  bool added = false;
  for (std::string line; std::getline(in, line);) added = added || line == arch;
  if (!added) return "no foreign architecture " + arch + " in its dpkg";
  fs::path info = root / "var/lib/dpkg/info";
  for (const std::string& package : {"crossbuild-essential-" + arch, "libc6-dev:" + arch}) {
    if (!fs::exists(info / (package + ".list"))) return package + " is not installed";
  }
  return std::nullopt;
}

void PinRoot(const JobSpec& job, BuildConfig& config) {
  std::error_code ec;
  fs::path generation = fs::canonical(RootFor(job, config), ec);
  config.root = ec ? std::string() : generation.string();
}

Command IsolatedCommand(const JobSpec& job, const fs::path& tree, const std::string& root,
                        const BuildConfig& config) {
  fs::path build_dir = tree.parent_path();
  std::string inside = "/build/" + tree.filename().string();
  Command cmd;
  cmd.argv = {config.sandbox,
              "--root",
              root,
              "--scratch",
              (build_dir / ".sandbox").string(),
              "--bind",
              build_dir.string() + ":/build",
              "--bind",
              AptCache(config) + ":/var/cache/apt/archives",
              "--chdir",
              inside};
  if (fs::exists("/etc/resolv.conf")) {
    cmd.argv.insert(cmd.argv.end(), {"--ro-bind", "/etc/resolv.conf:/etc/resolv.conf"});
  }
  // The first two steps fetch build-dependencies, one sandbox at a time
  // (apt fails at once on the shared archives' lock); the build runs offline.
  if (config.build_network) cmd.argv.emplace_back("--net");
  cmd.argv.insert(cmd.argv.end(), {"--online-lock", AptCache(config), "--online-steps", "2", "--"});
  // Installing nothing still costs apt seconds: it runs only when
  // dpkg-checkbuilddeps finds something missing. A cross build checks and
  // installs the build-dependencies for the host arch (the root's own arch
  // for the tools, the host arch for the libraries) and builds with the
  // cross and nocheck profiles, as the host builder does.
  bool cross = Cross(job, config);
  const std::string profiles = "cross,nocheck";
  cmd.argv.emplace_back("dpkg-checkbuilddeps");
  if (!job.master) cmd.argv.emplace_back("-B");
  if (cross) cmd.argv.insert(cmd.argv.end(), {"-a" + job.arch, "-P" + profiles});
  cmd.argv.insert(cmd.argv.end(), {"--or", "apt-get", "-q", "-y", "build-dep"});
  if (cross) cmd.argv.insert(cmd.argv.end(), {"-a", job.arch, "-P", profiles});
  if (!job.master) cmd.argv.push_back("--arch-only");
  cmd.argv.insert(cmd.argv.end(), {"./", "--and", "dpkg-buildpackage", "-us", "-uc"});
  cmd.argv.push_back(job.master ? "-F" : "-B");
  if (cross) cmd.argv.insert(cmd.argv.end(), {"-a" + job.arch, "-P" + profiles});
  cmd.cwd = build_dir.string();
  return cmd;
}

StepResult ClassifyIsolated(const CommandResult& r) {
  const std::string& out = r.output;
  if (r.exit_code == 125 && Contains(out, "was removed (an update replaced it)")) {
    return {Outcome::kInfrastructureFailed, "the root was replaced while the build started",
            FailureClass::kChrootMissing};
  }
  if (r.exit_code == 125 || r.exit_code == 127) {
    return {Outcome::kInfrastructureFailed, "cbit-sandbox could not run the build (see the log)"};
  }
  if (Contains(out, "cbit-sandbox: step 2 of 3 failed")) {
    if (SaysUnsatisfiable(out)) return {Outcome::kDependencyWait, "build-dependencies"};
    if (SaysNetworkError(out) || Contains(out, "Failed to fetch")) {
      return {Outcome::kInfrastructureFailed, "build-dependencies could not be fetched",
              FailureClass::kNetwork};
    }
    return {Outcome::kInfrastructureFailed, "apt-get build-dep failed"};
  }
  // dpkg-buildpackage's own output: "Unmet build dependencies" from the
  // first step (step 2 then installed them) does not make a failed build
  // a dependency wait.
  CommandResult build = r;
  if (auto at = out.rfind("cbit-sandbox: running step "); at != std::string::npos)
    build.output = out.substr(at);
  Outcome o = ClassifyDpkgBuildpackage(build);
  return {o, "build: " + std::string(OutcomeName(o))};
}

std::optional<StepResult> RunIsolated(const JobSpec& job, const fs::path& tree,
                                      const BuildConfig& config, const StepDeadline& deadline,
                                      Runner& runner, const LogSink& sink,
                                      const CancelHook& cancel) {
  fs::path link = RootFor(job, config);
  std::error_code ec;
  fs::path root = config.root.empty() ? fs::canonical(link, ec) : fs::path(config.root);
  if (runner.RunsCommands()) {
    if (ec || !fs::is_directory(root)) {
      return StepResult{Outcome::kInfrastructureFailed,
                        "no root " + link.string() + " (" + CreateHint(job, config) + ")",
                        FailureClass::kChrootMissing};
    }
  }
  // Without the toolchain dpkg-buildpackage would fail late and vaguely;
  // another client's root may have it, so the class is retried elsewhere.
  if (Cross(job, config) && !ec && fs::is_directory(root)) {
    if (auto problem = CrossRootProblem(root, job.arch)) {
      return StepResult{Outcome::kInfrastructureFailed,
                        "the root " + root.string() + " cannot cross-build for " + job.arch + " (" +
                            *problem + "; " + CreateHint(job, config) + ")",
                        FailureClass::kToolchainMissing};
    }
  }
  if (runner.RunsCommands()) {
    fs::create_directories(tree.parent_path() / ".sandbox", ec);
    if (!ec) fs::create_directories(fs::path(AptCache(config)) / "partial", ec);
    if (ec) return StepResult{Outcome::kInfrastructureFailed, "build directories: " + ec.message()};
  } else if (config.root.empty()) {
    root = link;
  }
  CommandResult r =
      runner.Run(deadline.Apply(IsolatedCommand(job, tree, root, config)), sink, cancel);
  if (auto failed = MachineFailure(r, "cbit-sandbox", deadline)) return failed;
  if (r.ok()) return std::nullopt;
  return ClassifyIsolated(r);
}

}  // namespace cbit::client
