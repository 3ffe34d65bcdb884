// What `cbit submit` sends, read from where the packager is: a git or svn
// checkout (debian/changelog and debian/control at the committed revision,
// the repository URL and revision, refused while the tree has changes not
// committed or not pushed), a .changes or a .dsc file (method apt).
#pragma once

#include <string>

#include "hooks/submit.h"

namespace cbit::cli {

/// The submission of the package at the root of the git or svn checkout
/// `dir`. Throws CliError (usage) naming what to do when the tree is dirty,
/// has unpushed commits, is not a checkout, or its metadata is malformed.
hooks::HookSubmission FromTree(const std::string& dir);

/// A .changes file (signed or not): Source, Version, Distribution and
/// Architecture, method apt. Throws CliError.
hooks::HookSubmission FromChanges(const std::string& path);

/// A .dsc file: Source, Version and Architecture, method apt; the suite is
/// not in it (the caller asks for --suite). Throws CliError.
hooks::HookSubmission FromDsc(const std::string& path);

/// A git remote URL as a client can fetch it: a relative local path made
/// absolute against `top` (the work tree); URLs and host:path unchanged.
std::string AbsoluteRemote(const std::string& url, const std::string& top);

/// The architecture_list of a .dsc's Architecture field ("any all" →
/// "all,any").
std::string DscArchList(const std::string& field);

}  // namespace cbit::cli
