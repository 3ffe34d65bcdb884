// cbit-hook: the git post-receive, svn post-commit and .changes (procmail)
// hooks. Reads its config, runs one subcommand, exits with an ExitCode.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "hooks/hook.h"
#include "source/vcs.h"
#include "util/process.h"

namespace {

using namespace cbit::hooks;
using cbit::source::GitAbsoluteDir;
using cbit::source::VcsError;

constexpr const char* kDescription =
    R"(cbit-hook - tell the cbit controller about new package versions

SYNOPSIS
  cbit-hook [--config FILE] [--dry-run] git-post-receive  < "<old> <new> <ref>" lines
  cbit-hook [--config FILE] [--dry-run] svn-post-commit REPOS REV
  cbit-hook [--config FILE] [--dry-run] changes [FILE]     (a .changes file or a mail; stdin without FILE)

DESCRIPTION
  Each subcommand finds the packages to build and submits each one with
  POST /job/vcshook (docs/protocol.md). A package is a directory holding
  debian/changelog; it is submitted when that changelog was added or
  modified. Name, version and suite come from the first changelog entry
  (validated against Debian's syntax), the architecture_list from the
  Architecture fields of debian/control (all, any, names; linux-any and other
  wildcards count as any). Files are read at the pushed/committed revision.

  git-post-receive  For each updated branch (refs/heads/*; deleted refs and
                    tags are ignored) the changelogs changed in old..new; a new
                    branch, or an old commit the repository lacks, is compared
                    with the empty tree (every package at the tip). Submits
                    method=git, uri=the repository (its absolute path unless
                    "uri" is set), vcs_id=the pushed commit. Only a package at
                    the repository root is submitted: the build client clones
                    the repository and builds its top directory; packages in
                    subdirectories are reported and skipped.
  svn-post-commit   The changelogs added or modified in REV (svnlook changed).
                    Submits method=svn, uri=file://REPOS (or "uri"),
                    directory=the package's directory, vcs_id=REV; the client
                    exports uri/directory@REV.
  changes           A .changes file (clear-signed or not), or a mail whose body
                    holds one (text, not a base64 attachment). Submits
                    method=apt, package=Source, package_version=Version,
                    suite=Distribution, architecture_list=Architecture without
                    "source" ("any" for a source-only upload), uri="uri" or
                    "apt". Build clients fetch it with apt-get source from their
                    own apt_sources_list.

CONFIG FILE (JSON; --config, else $CBIT_HOOK_CONFIG, else /etc/cbit/hook.json if present)
  {"url": "http://buildd.example:8080",   the controller (default http://localhost:8080);
                                           or a list ["http://a:8080", "http://b:8080"]:
                                           one that cannot be connected to is passed over
   "token": "cbit_…",                      an API token of role submitter (cbit-web
                                           token add NAME --role submitter), sent as Bearer
   "user": "hooks", "password": "…",       or HTTP Basic credentials of a user of cbit-web
   "distribution": "Debian",               submitted distribution (default Debian)
   "format": "deb",                        submitted format (default deb)
   "uri": "https://git.example/{name}.git", submitted uri; {name} = the repository's
                                           directory name (default: see above)
   "connect_timeout_seconds": 10, "timeout_seconds": 60}
  Keep the file readable only by the user the hooks run as.

ENVIRONMENT (over the file)
  CBIT_URL (URLs separated by commas or spaces), CBIT_TOKEN, CBIT_USER, CBIT_PASSWORD, CBIT_DISTRIBUTION, CBIT_FORMAT, CBIT_URI
  CBIT_HOOK_CONFIG   the config file when --config is not given
  CBIT_HOOK          used by the wrapper scripts in hooks/ to find this program

OUTPUT
  One line per package on stderr: "submitted …: <controller's answer>", or
  "NOT submitted …: <why>" with the controller's message. git shows it to the
  pusher; svn shows post-commit output only when the hook fails.

EXIT STATUS
  0 every package found was submitted (or none was found)
  1 bad arguments or configuration
  2 a changelog, control or .changes file is malformed (that package is not submitted)
  3 the controller could not be reached, or answered an error
  4 a git/svn command failed, or the hook's input is malformed
  With several packages, the highest status of any of them.
)";

std::string ReadAll(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The config file, then the environment over it; nullopt (reported) when it
// is wrong.
std::optional<HookConfig> LoadConfig(const std::string& flag) {
  auto env = ProcessEnvironment();
  try {
    return LoadHookConfig(ChooseConfigPath(flag, env), env);
  } catch (const ConfigError& e) {
    std::cerr << "cbit-hook: " << e.what() << "\n";
    return std::nullopt;
  }
}

// The .changes text: FILE, or stdin without one ("-" too); nullopt
// (reported) when FILE cannot be read.
std::optional<std::string> ReadChangesInput(const std::string& file) {
  if (file.empty() || file == "-") return ReadAll(std::cin);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << "cbit-hook: cannot read " << file << "\n";
    return std::nullopt;
  }
  return ReadAll(in);
}

}  // namespace

// Only the command line's definition could throw before the try below
// (CLI11, on a programming error).
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape)
  CLI::App app{kDescription, "cbit-hook"};
  app.require_subcommand(1);
  std::string config_path;
  bool dry_run = false;
  app.add_option("-c,--config", config_path, "JSON config file");
  app.add_flag("-n,--dry-run", dry_run, "print the submissions instead of sending them");
  auto* git = app.add_subcommand("git-post-receive", "git post-receive hook (stdin: ref updates)");
  std::string repos, rev, changes_file;
  auto* svn = app.add_subcommand("svn-post-commit", "svn post-commit hook");
  svn->add_option("REPOS", repos, "repository path")->required();
  svn->add_option("REV", rev, "committed revision")->required();
  auto* changes = app.add_subcommand("changes", ".changes filter (procmail)");
  changes->add_option("FILE", changes_file, ".changes file or mail; stdin when absent");
  if (auto rc = cbit::process::ParseCommandLine(app, argc, argv)) return *rc;

  const std::optional<HookConfig> config = LoadConfig(config_path);
  if (!config) return static_cast<int>(ExitCode::kUsage);
  Sender send = [&](const HookSubmission& s) -> std::string {
    if (dry_run) return "dry run, not sent";
    return Submit(*config, s);
  };

  try {
    if (*git) {
      return static_cast<int>(
          RunGitPostReceive(*config, ReadAll(std::cin), GitAbsoluteDir("."), send, std::cerr));
    }
    if (*svn) return static_cast<int>(RunSvnPostCommit(*config, repos, rev, send, std::cerr));
    const std::optional<std::string> text = ReadChangesInput(changes_file);
    if (!text) return static_cast<int>(ExitCode::kUsage);
    return static_cast<int>(RunChanges(*config, *text, send, std::cerr));
  } catch (const VcsError& e) {
    std::cerr << "cbit-hook: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kVcs);
  } catch (const std::exception& e) {
    // Nothing else is expected; a hook must still say what went wrong
    // rather than abort the push's output.
    std::cerr << "cbit-hook: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kVcs);
  }
}
