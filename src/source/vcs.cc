#include "source/vcs.h"

#include <algorithm>
#include <chrono>

#include "util/subprocess.h"

namespace cbit::source {
namespace {

constexpr std::chrono::seconds kVcsTimeout{120};
// git's well-known empty tree (SHA-1 repositories).
constexpr const char* kEmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

std::string Run(std::vector<std::string> argv, const std::string& cwd = "") {
  Command cmd;
  cmd.argv = std::move(argv);
  cmd.cwd = cwd;
  cmd.timeout = kVcsTimeout;
  CommandResult r = RunCommand(cmd);
  if (!r.ok()) {
    std::string why = r.timed_out ? "timed out" : "exited with " + std::to_string(r.exit_code);
    throw VcsError(DescribeArgv(cmd.argv) + " " + why + ": " + r.output);
  }
  return r.output;
}

bool AllZeros(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

std::vector<std::string> SplitNul(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto end = s.find('\0', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string Chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

bool RefUpdate::created() const { return AllZeros(old_rev); }
bool RefUpdate::deleted() const { return AllZeros(new_rev); }

bool IsObjectName(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) &&
         s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::vector<RefUpdate> ParseRefUpdates(std::string_view text) {
  std::vector<RefUpdate> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string line(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto s1 = line.find(' '), s2 = line.find(' ', s1 == std::string::npos ? 0 : s1 + 1);
    if (s1 == std::string::npos || s2 == std::string::npos)
      throw VcsError("post-receive input line is not '<old> <new> <ref>': " + line);
    RefUpdate u{line.substr(0, s1), line.substr(s1 + 1, s2 - s1 - 1), line.substr(s2 + 1)};
    if (!IsObjectName(u.old_rev) || !IsObjectName(u.new_rev) || u.ref.empty())
      throw VcsError("post-receive input line is not '<old> <new> <ref>': " + line);
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<std::string> ChangelogDirs(const std::vector<std::string>& paths) {
  static constexpr std::string_view kTail = "debian/changelog";
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::string_view v = p;
    if (!v.ends_with(kTail)) continue;
    std::string_view dir = v.substr(0, v.size() - kTail.size());
    if (!dir.empty() && dir.back() != '/') continue;  // e.g. foo-debian/changelog
    if (!dir.empty()) dir.remove_suffix(1);
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.emplace_back(dir);
  }
  return out;
}

std::string GitAbsoluteDir(const std::string& cwd) {
  return Chomp(Run({"git", "rev-parse", "--absolute-git-dir"}, cwd));
}

std::vector<Finding> GitChangedPackages(const std::string& git_dir, const RefUpdate& update) {
  const std::string gd = "--git-dir=" + git_dir;
  std::string base = update.old_rev;
  if (update.created()) {
    base = kEmptyTree;
  } else {
    // A forced push seen by a fresh mirror may lack the old commit.
    Command probe;
    probe.argv = {"git", gd, "cat-file", "-e", update.old_rev + "^{commit}"};
    probe.timeout = kVcsTimeout;
    if (!RunCommand(probe).ok()) base = kEmptyTree;
  }
  // -z: paths verbatim; --diff-filter=d: a deleted changelog is no package.
  auto paths = SplitNul(Run({"git", gd, "diff", "--name-only", "-z", "--no-renames",
                             "--diff-filter=d", base, update.new_rev, "--"}));
  std::vector<Finding> out;
  for (const auto& dir : ChangelogDirs(paths)) {
    out.push_back(ReadPackage(dir, [&](const std::string& path) {
      return Run({"git", gd, "cat-file", "blob", update.new_rev + ":" + path});
    }));
  }
  return out;
}

std::vector<std::string> ParseSvnlookChanged(std::string_view output) {
  // Each line: action letter, property flag, two spaces… then the path at column 4.
  std::vector<std::string> out;
  for (std::string_view line : Lines(output)) {
    if (line.size() <= 4 || line[0] == 'D') continue;
    out.emplace_back(line.substr(4));
  }
  return out;
}

std::vector<Finding> SvnChangedPackages(const std::string& repos, const std::string& rev) {
  auto paths = ParseSvnlookChanged(Run({"svnlook", "changed", "-r", rev, "--", repos}));
  std::vector<Finding> out;
  for (const auto& dir : ChangelogDirs(paths)) {
    out.push_back(ReadPackage(dir, [&](const std::string& path) {
      return Run({"svnlook", "cat", "-r", rev, "--", repos, path});
    }));
  }
  return out;
}

}  // namespace cbit::source
