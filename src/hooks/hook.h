// The three hooks (docs/design.md, "Hooks and forge webhooks"), as functions of their input: git
// post-receive, svn post-commit, and the .changes (procmail) filter. Each
// finds the packages to build, reports what it cannot submit, and hands the
// rest to a Sender (the controller over HTTP, or a dry run).
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "hooks/hook_config.h"
#include "hooks/submit.h"
#include "util/process.h"

namespace cbit::hooks {

/// cbit-hook's exit status: 0 and 1 as every program's (util/process.h),
/// then its own. A push or commit has already happened when a hook runs: a
/// non-zero status only tells the pusher (git prints the hook's output as
/// "remote: …") that something was not submitted.
enum class ExitCode : int {
  /// everything found was submitted (or there was nothing)
  kOk = static_cast<int>(process::ExitCode::kOk),
  /// bad arguments or configuration
  kUsage = static_cast<int>(process::ExitCode::kBadConfig),
  kMetadata = 2,    ///< a changelog, control or .changes file is malformed: not submitted
  kController = 3,  ///< the controller could not be reached or refused a submission
  kVcs = 4,         ///< a git/svn command failed, or the hook's input is malformed
};

/// Sends one submission; returns the controller's answer, throws SubmitError.
using Sender = std::function<std::string(const HookSubmission&)>;

/// The worse of two exit codes (the higher number).
ExitCode Worse(ExitCode a, ExitCode b);

/// git post-receive: `updates` is the hook's stdin; `git_dir` the repository.
/// Only branches (refs/heads/) are looked at; deleted refs are ignored; the
/// pushed tip is submitted once per changed package. Packages below the
/// repository root are reported and skipped: the build client clones the
/// repository and builds its root.
ExitCode RunGitPostReceive(const HookConfig& config, std::string_view updates,
                           const std::string& git_dir, const Sender& send, std::ostream& out);

/// svn post-commit: the packages changed in revision `rev` of `repos`.
ExitCode RunSvnPostCommit(const HookConfig& config, const std::string& repos,
                          const std::string& rev, const Sender& send, std::ostream& out);

/// The .changes filter: `input` is a .changes file or a mail holding one.
ExitCode RunChanges(const HookConfig& config, std::string_view input, const Sender& send,
                    std::ostream& out);

/// The uri to submit: config.uri with "{name}" replaced by the basename of
/// `repository`, or `fallback` when config.uri is empty.
std::string SubmittedUri(const HookConfig& config, const std::string& repository,
                         const std::string& fallback);

}  // namespace cbit::hooks
