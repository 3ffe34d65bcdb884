#include "cli/source_tree.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/exit_code.h"
#include "core/changes_file.h"
#include "source/debian_meta.h"
#include "util/subprocess.h"

namespace cbit::cli {
namespace {

CliError Refused(const std::string& msg) { return CliError(ExitCode::kUsage, msg); }

CommandResult Run(std::vector<std::string> argv, const std::string& cwd) {
  Command c{.argv = std::move(argv), .env = {"LC_ALL=C"}, .cwd = cwd};
  c.timeout = std::chrono::seconds(60);
  return RunCommand(c);
}

std::string Chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Output of a command that must succeed; else a CliError with its output.
std::string Must(const std::vector<std::string>& argv, const std::string& cwd,
                 const std::string& why) {
  CommandResult r = Run(argv, cwd);
  if (!r.ok()) throw Refused(why + " (" + DescribeArgv(argv) + ": " + Chomp(r.output) + ")");
  return Chomp(r.output);
}

std::string ReadSmallFile(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Refused("cannot read " + path + ": " + ec.message());
  if (size > kMaxChangesBytes) throw Refused(path + " is larger than 4 MiB: not a Debian file");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ReadMeta(hooks::HookSubmission& s, const std::string& changelog, const std::string& control) {
  try {
    source::ChangelogHead head = source::ParseChangelogHead(changelog);
    s.package = head.source;
    s.version = head.version;
    s.suite = head.suite;
    s.arch_list = source::ArchitectureList(control);
  } catch (const source::MetadataError& e) {
    throw Refused(e.what());
  }
}

// Refuses a tree whose HEAD is not what the remote branch has.
void CheckGitPushed(const std::string& top) {
  auto dirty = Must({"git", "status", "--porcelain", "--untracked-files=no"}, top, "git status");
  if (!dirty.empty())
    throw Refused(top + " has changes that are not committed: commit and push them (git status)");
  CommandResult branch = Run({"git", "symbolic-ref", "-q", "--short", "HEAD"}, top);
  if (!branch.ok()) throw Refused(top + ": HEAD is detached: check out a pushed branch");
  std::string b = Chomp(branch.output);
  if (!Run({"git", "rev-parse", "--verify", "-q", "@{upstream}"}, top).ok())
    throw Refused("branch " + b + " has no upstream branch: push it first (git push -u origin " +
                  b + ")");
  if (!Run({"git", "merge-base", "--is-ancestor", "HEAD", "@{upstream}"}, top).ok())
    throw Refused("branch " + b + " has commits that are not pushed: git push first");
}

hooks::HookSubmission FromGit(const std::string& dir, const std::string& top) {
  namespace fs = std::filesystem;
  if (fs::canonical(dir) != fs::canonical(top))
    throw Refused("the package must be at the root of its git repository (" + top +
                  "): build clients build the root of what they clone");
  CheckGitPushed(top);
  hooks::HookSubmission s;
  s.method = "git";
  s.vcs_id = Must({"git", "rev-parse", "HEAD"}, top, "git rev-parse HEAD");
  std::string b = Must({"git", "symbolic-ref", "-q", "--short", "HEAD"}, top, "git symbolic-ref");
  std::string remote =
      Must({"git", "config", "--get", "branch." + b + ".remote"}, top, "the branch's remote");
  s.uri = AbsoluteRemote(Must({"git", "remote", "get-url", remote}, top, "git remote"), top);
  ReadMeta(s, Must({"git", "show", "HEAD:debian/changelog"}, top, "no debian/changelog in HEAD"),
           Must({"git", "show", "HEAD:debian/control"}, top, "no debian/control in HEAD"));
  return s;
}

hooks::HookSubmission FromSvn(const std::string& dir) {
  std::string url = Must({"svn", "info", "--show-item", "url", dir}, "", "svn info");
  std::string version = Must({"svnversion", dir}, "", "svnversion");
  if (version.find_first_not_of("0123456789") != std::string::npos)
    throw Refused(dir + " is modified, mixed or switched (svnversion: " + version +
                  "): commit and svn update first");
  hooks::HookSubmission s{.method = "svn", .uri = url, .vcs_id = version};
  ReadMeta(s, ReadSmallFile(dir + "/debian/changelog"), ReadSmallFile(dir + "/debian/control"));
  return s;
}

}  // namespace

std::string AbsoluteRemote(const std::string& url, const std::string& top) {
  auto colon = url.find(':');
  auto slash = url.find('/');
  bool is_url = colon != std::string::npos && (slash == std::string::npos || colon < slash);
  if (is_url || url.empty() || url[0] == '/') return url;
  return (std::filesystem::path(top) / url).lexically_normal().string();
}

std::string DscArchList(const std::string& field) {
  std::istringstream in(field);
  std::string word, all, rest;
  while (in >> word) {
    if (word == "all")
      all = "all";
    else if (word != "source")
      rest += (rest.empty() ? "" : ",") + word;
  }
  if (all.empty()) return rest;
  return rest.empty() ? all : all + "," + rest;
}

hooks::HookSubmission FromTree(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw Refused(dir + " is not a directory");
  CommandResult git = Run({"git", "rev-parse", "--show-toplevel"}, dir);
  if (git.ok()) return FromGit(dir, Chomp(git.output));
  if (Run({"svn", "info", dir}, "").ok()) return FromSvn(dir);
  throw Refused(dir +
                " is neither a git nor an svn checkout (submit a .changes or .dsc, or give "
                "--package, --version, --suite, --method and --uri)");
}

hooks::HookSubmission FromChanges(const std::string& path) {
  try {
    source::ChangesInfo c = source::ParseChangesInfo(source::ExtractChanges(ReadSmallFile(path)));
    return {.package = c.source,
            .version = c.version,
            .suite = c.suite,
            .arch_list = c.arch_list,
            .method = "apt"};
  } catch (const source::MetadataError& e) {
    throw Refused(path + ": " + e.what());
  }
}

hooks::HookSubmission FromDsc(const std::string& path) {
  auto paragraphs = source::ParseParagraphs(ReadSmallFile(path));
  for (const auto& p : paragraphs) {
    if (!p.count("source") || !p.count("version")) continue;
    std::string archs = p.count("architecture") ? DscArchList(p.at("architecture")) : "";
    return {
        .package = p.at("source"), .version = p.at("version"), .arch_list = archs, .method = "apt"};
  }
  throw Refused(path + ": no Source and Version fields: not a .dsc");
}

}  // namespace cbit::cli
