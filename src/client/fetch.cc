#include "client/fetch.h"

#include <filesystem>
#include <vector>

#include "client/classify.h"
#include "client/deadline.h"
#include "client/package_files.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

StepResult Failed(std::string detail) {
  return {Outcome::kInfrastructureFailed, std::move(detail)};
}

// What every command of the fetch runs with.
struct FetchIo {
  Runner& runner;
  const LogSink& sink;
  const CancelHook& cancel;
  StepDeadline deadline;
};

// One command of the fetch: nullopt when it succeeded, else the step's result.
std::optional<StepResult> RunFetchCommand(FetchIo& io, const Command& cmd) {
  CommandResult r = io.runner.Run(io.deadline.Apply(cmd), io.sink, io.cancel);
  const std::string& tool = cmd.argv.front();
  if (r.ok()) return std::nullopt;
  if (auto failed = MachineFailure(r, tool, io.deadline)) return failed;
  std::string detail = tool + " exited with " + std::to_string(r.exit_code);
  if (SaysNetworkError(r.output)) {
    return StepResult{Outcome::kInfrastructureFailed, detail + ": source unreachable",
                      FailureClass::kNetwork};
  }
  return Failed(detail);
}

// apt-get with its own sources list, lists and cache under WORKDIR/.apt, so a
// job can neither read nor change the system's apt state.
class PrivateApt {
 public:
  PrivateApt(const std::string& workdir, const std::string& sources_list) {
    fs::path root = fs::path(workdir) / ".apt";
    options_ = {"-o", "Dir::Etc::SourceList=" + sources_list,
                "-o", "Dir::Etc::SourceParts=" + (root / "sources.list.d").string(),
                "-o", "Dir::State::Lists=" + (root / "lists").string(),
                "-o", "Dir::Cache=" + (root / "cache").string()};
    dirs_ = {root / "sources.list.d", root / "lists" / "partial",
             root / "cache" / "archives" / "partial"};
  }

  std::optional<StepResult> Prepare() const {
    std::error_code ec;
    for (const auto& d : dirs_) {
      fs::create_directories(d, ec);
      if (ec) return Failed("cannot create " + d.string() + ": " + ec.message());
    }
    return std::nullopt;
  }

  Command Make(const std::string& cwd, std::vector<std::string> args) const {
    Command cmd;
    cmd.argv = {"apt-get", "--quiet"};
    cmd.argv.insert(cmd.argv.end(), options_.begin(), options_.end());
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    cmd.cwd = cwd;
    return cmd;
  }

 private:
  std::vector<std::string> options_;
  std::vector<fs::path> dirs_;
};

// Updates the private lists, then runs `apt-get source [args] NAME=VERSION`.
std::optional<StepResult> AptSource(const JobSpec& job, const std::string& workdir,
                                    const FetchConfig& config, std::vector<std::string> args,
                                    FetchIo& io) {
  if (config.apt_sources_list.empty()) return Failed("no apt sources list configured");
  PrivateApt apt(workdir, config.apt_sources_list);
  if (auto err = apt.Prepare()) return err;
  if (auto err = RunFetchCommand(io, apt.Make(workdir, {"update"}))) return err;
  args.insert(args.begin(), "source");
  args.push_back(job.package + "=" + job.version);
  return RunFetchCommand(io, apt.Make(workdir, args));
}

// A non-native package builds only with its orig tarball beside the tree:
// uscan finds it from debian/watch, else the archive's source package has it.
std::optional<StepResult> FetchOrig(const JobSpec& job, const std::string& workdir,
                                    const std::string& source_dir, const FetchConfig& config,
                                    FetchIo& io) {
  if (!IsNonNative(source_dir, job.version)) return std::nullopt;
  if (fs::exists(fs::path(source_dir) / "debian" / "watch")) {
    Command cmd;
    cmd.argv = {"uscan", "--download-current-version", "--destdir", workdir};
    cmd.cwd = source_dir;
    return RunFetchCommand(io, cmd);
  }
  return AptSource(job, workdir, config, {"--download-only"}, io);
}

}  // namespace

FetchResult Fetch(const JobSpec& job, const std::string& workdir, const FetchConfig& config,
                  Runner& runner, const LogSink& sink, const CancelHook& cancel) {
  if (auto problem = job.Validate()) return {Failed("refused: " + *problem), ""};
  const Transport& t = job.transport;
  std::string dir = (fs::path(workdir) / job.package).string();
  if (t.method != "apt" && fs::exists(dir)) return {Failed(dir + " already exists"), ""};

  FetchIo io{runner, sink, cancel, StepDeadline(config.timeout, "fetch")};
  std::optional<StepResult> err;
  if (t.method == "git") {
    // ext:: URLs would run a command; git refuses them by default, and this
    // keeps it so whatever the system's git configuration says.
    Command clone;
    clone.argv = {"git", "-c", "protocol.ext.allow=never", "clone", "--quiet", "--", t.uri, dir};
    clone.cwd = workdir;
    err = RunFetchCommand(io, clone);
    if (!err && !t.vcs_id.empty()) {
      // The trailing "--" makes git take vcs_id as a revision, never a path.
      Command checkout;
      checkout.argv = {"git", "-C", dir, "checkout", "--quiet", t.vcs_id, "--"};
      err = RunFetchCommand(io, checkout);
    }
  } else if (t.method == "svn") {
    Command exp;
    std::string target = t.vcs_id.empty() ? t.uri : t.uri + "@" + t.vcs_id;
    exp.argv = {"svn", "export", "--non-interactive", "--quiet", "--", target, dir};
    exp.cwd = workdir;
    err = RunFetchCommand(io, exp);
  } else {
    // apt-get source unpacks into NAME-UPSTREAM and fetches the orig itself.
    err = AptSource(job, workdir, config, {}, io);
    dir = (fs::path(workdir) / (job.package + "-" + std::string(UpstreamVersion(job.version))))
              .string();
  }
  if (!err && t.method != "apt") err = FetchOrig(job, workdir, dir, config, io);
  if (err) return {*err, ""};
  if (runner.RunsCommands() && !fs::is_directory(fs::path(dir) / "debian")) {
    return {Failed("no debian/ directory in " + dir), ""};
  }
  return {StepResult{}, dir};
}

}  // namespace cbit::client
