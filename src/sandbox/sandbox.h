// cbit-sandbox: runs commands in a throw-away root without root on the host.
// A user namespace maps the caller to uid 0 (and its subordinate ids after
// it); new mount, PID, IPC and UTS namespaces, and a network namespace of
// its own for the steps that must not reach the network. The root is a
// prepared directory seen through an overlay whose upper layer is a tmpfs,
// so nothing a build writes outside its bind mounts survives it; when the
// sandbox's first process ends, the kernel kills every process left in it
// and drops every mount.
#pragma once

#include <string>
#include <vector>

namespace cbit::sandbox {

struct BindMount {
  std::string source;  ///< a host path (directory or file)
  std::string target;  ///< absolute, inside the root
  bool read_only = false;
};

struct Options {
  /// The prepared root; empty: no root change (user namespace only, for
  /// unpacking or removing a root owned by mapped ids).
  std::string root;
  /// An empty host directory the overlay's tmpfs is mounted on (seen only
  /// inside the sandbox).
  std::string scratch;
  /// The root itself is written to (apt-get update in a root being made),
  /// not an overlay of it.
  bool writable_root = false;
  std::vector<BindMount> binds;
  std::string chdir = "/";
  std::string hostname = "cbit-build";
  /// The first `online_steps` steps share the host's network; the others
  /// get a network namespace with only a loopback device.
  int online_steps = 0;
  bool network_all = false;  ///< every step shares the host's network
  /// A host file or directory locked (flock, exclusive) while the first
  /// `online_steps` run: sandboxes sharing an apt cache fetch one at a time.
  std::string online_lock;
  std::vector<std::string> env;  ///< NAME=value, over the clean defaults
  std::vector<std::vector<std::string>> steps;
  /// fallback[i]: step i runs only when step i-1 failed ("A --or B"), and
  /// then A's failure is forgiven; shorter than steps: false.
  std::vector<bool> fallback;
};

/// "SRC:DST" as a bind mount; throws std::invalid_argument naming the problem.
BindMount ParseBind(const std::string& spec, bool read_only);

/// What is wrong with `options`, or empty.
std::string Check(const Options& options);

/// Runs the steps in order, stopping at the first that fails. Returns the
/// exit status: 0, the failed step's status (after "cbit-sandbox: step N of
/// M failed" on stderr), or kSetupFailed when the sandbox could not be made.
int Run(const Options& options);

constexpr int kSetupFailed = 125;

}  // namespace cbit::sandbox
