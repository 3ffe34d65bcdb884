// Turns a finished builder command into an Outcome, from its exit status and
// the tail of its output. Kept apart from the builders so the rules can be
// tested against real tool output.
#pragma once

#include <optional>
#include <string>

#include "client/deadline.h"
#include "client/outcome.h"
#include "util/subprocess.h"

namespace cbit::client {

/// dpkg-buildpackage run on the host: "Unmet build dependencies" from
/// dpkg-checkbuilddeps is a dependency wait; any other failure is the package's.
Outcome ClassifyDpkgBuildpackage(const CommandResult& r);

/// sbuild, from the "Status:" and "Fail-Stage:" lines of its summary:
/// successful → built; failed at install-deps because build-dependencies are
/// not satisfiable → dependency wait; failed at build (status "attempted") →
/// build failed; anything else (chroot set-up, apt update, …) → infrastructure.
Outcome ClassifySbuild(const CommandResult& r);

/// What any step makes of a command that did not succeed, before its own
/// rules: cancelled; timed out (class timeout, naming the limit); out of
/// disk space (class disk-full). nullopt when none of these, or when it
/// succeeded.
std::optional<StepResult> MachineFailure(const CommandResult& r, const std::string& what,
                                         const StepDeadline& deadline);

/// Whether a failed fetch command (git, svn, apt-get, uscan) says the source
/// could not be reached: a name not resolved, a connection refused, reset or
/// timed out.
bool SaysNetworkError(std::string_view output);

/// Whether sbuild or schroot says the chroot does not exist.
bool SaysChrootMissing(std::string_view output);

/// Whether sbuild's summary says it failed before the build began, while
/// setting up the chroot's session (Fail-Stage: create-session).
bool SaysChrootSessionFailed(std::string_view output);

}  // namespace cbit::client
