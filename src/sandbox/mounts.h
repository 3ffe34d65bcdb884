// The file system a sandbox's steps see, made inside its mount namespace:
// the root (an overlay on a tmpfs, or the root itself when it is being
// made), the bind mounts, /dev, /proc, then pivot_root into it.
#pragma once

#include "sandbox/sandbox.h"

namespace cbit::sandbox {

/// Builds the root's mounts and enters it; throws std::system_error naming
/// the call that failed. Runs as uid 0 of the sandbox's user namespace.
void EnterRoot(const Options& options);

/// Brings the loopback device of a fresh network namespace up.
void LoopbackUp();

}  // namespace cbit::sandbox
