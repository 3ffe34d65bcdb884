#include "client/isolated.h"

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

}  // namespace

fs::path RootFor(const JobSpec& job, const BuildConfig& config) {
  return fs::path(config.roots_dir) / (job.ChrootName() + "-" + job.arch) / "current";
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
  // dpkg-checkbuilddeps finds something missing.
  cmd.argv.emplace_back("dpkg-checkbuilddeps");
  if (!job.master) cmd.argv.emplace_back("-B");
  cmd.argv.insert(cmd.argv.end(), {"--or", "apt-get", "-q", "-y", "build-dep"});
  if (!job.master) cmd.argv.push_back("--arch-only");
  cmd.argv.insert(cmd.argv.end(), {"./", "--and", "dpkg-buildpackage", "-us", "-uc"});
  cmd.argv.push_back(job.master ? "-F" : "-B");
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
                        "no root " + link.string() + " (cbit-client chroot create " + job.suite +
                            " --arch " + job.arch + ")",
                        FailureClass::kChrootMissing};
    }
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
