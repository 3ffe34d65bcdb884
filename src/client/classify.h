// Turns a finished builder command into an Outcome, from its exit status and
// the tail of its output. Kept apart from the builders so the rules can be
// tested against real tool output.
#pragma once

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

}  // namespace cbit::client
