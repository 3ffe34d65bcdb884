// Processes of the run seen through /proc: a process tree to signal, and
// what is left behind once the run has stopped everything it started.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace cbit::chaos {

/// Sends `sig` to `root` and every process descended from it (SIGSTOP:
/// parents first, so none starts a child meanwhile that escapes).
void SignalTree(pid_t root, int sig);

/// Processes other than this one whose command line or working directory
/// contains both `dir` and `tag`: "pid command line" each.
std::vector<std::string> ProcessesMatching(const std::string& dir, const std::string& tag);

}  // namespace cbit::chaos
