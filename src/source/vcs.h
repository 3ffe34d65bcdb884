// Finding the packages a commit or push changed, in git and svn: a package
// is a directory holding debian/changelog, and it is submitted when that
// changelog was added or modified. Files are read at the pushed or committed
// revision (never from a work tree) through argv commands with deadlines.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "source/debian_meta.h"

namespace cbit::source {

/// A VCS command failed (or timed out); the message holds its output.
struct VcsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One line of a post-receive hook's stdin: "<old> <new> <ref>".
struct RefUpdate {
  std::string old_rev, new_rev, ref;
  bool created() const;  ///< old is all zeros
  bool deleted() const;  ///< new is all zeros
};

/// Parses post-receive stdin; throws VcsError on a malformed line (revisions
/// must be hex object names).
std::vector<RefUpdate> ParseRefUpdates(std::string_view text);

/// True for a full hex object name (SHA-1 or SHA-256).
bool IsObjectName(std::string_view s);

/// The package directories ("" = the repository root) of the changed paths
/// that are a debian/changelog, each once, in order.
std::vector<std::string> ChangelogDirs(const std::vector<std::string>& paths);

/// A package's metadata read from one revision.
struct PackageMeta {
  std::string dir;  ///< "" = root
  ChangelogHead changelog;
  std::string arch_list;
};

/// A changed package: its metadata, or why it cannot be submitted.
struct Finding {
  std::string dir;
  std::optional<PackageMeta> meta;
  std::string problem;  ///< set when meta is empty
};

/// Reads and parses DIR/debian/changelog and DIR/debian/control through
/// `read` (a path → content function that throws VcsError when absent).
template <typename Read>
Finding ReadPackage(const std::string& dir, Read&& read) {
  std::string prefix = dir.empty() ? "" : dir + "/";
  Finding f{dir, std::nullopt, ""};
  try {
    PackageMeta m{dir, ParseChangelogHead(read(prefix + "debian/changelog")),
                  ArchitectureList(read(prefix + "debian/control"))};
    f.meta = std::move(m);
  } catch (const std::exception& e) {
    f.problem = (dir.empty() ? "" : dir + "/") + e.what();
  }
  return f;
}

/// git: the packages whose changelog was added or modified in
/// old..new of `git_dir`. A new branch (old all zeros) or an old revision the
/// repository does not have is compared with the empty tree, so every
/// package at the pushed tip is found.
std::vector<Finding> GitChangedPackages(const std::string& git_dir, const RefUpdate& update);

/// `git rev-parse --absolute-git-dir` in `cwd` (the hook's repository).
std::string GitAbsoluteDir(const std::string& cwd);

/// svn: the packages whose changelog was added or modified in revision
/// `rev` of the repository at `repos` (svnlook).
std::vector<Finding> SvnChangedPackages(const std::string& repos, const std::string& rev);

/// Parses `svnlook changed` output into the paths added or modified
/// (deletions left out; directories end with '/').
std::vector<std::string> ParseSvnlookChanged(std::string_view output);

}  // namespace cbit::source
