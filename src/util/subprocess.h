// Running external commands: always from an argument vector (never a shell),
// in a process group of their own so a cancel or a deadline reaches every
// descendant, with stdout and stderr captured together.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cbit {

struct Command {
  std::vector<std::string> argv;                     ///< argv[0] is looked up in PATH
  std::vector<std::string> env;                      ///< extra NAME=value entries
  std::string cwd;                                   ///< empty: inherit
  std::optional<std::chrono::milliseconds> timeout;  ///< then SIGTERM, SIGKILL after grace
  std::string stdin_data;                            ///< written to the child's stdin, then closed
  /// The child gets SIGTERM when the thread that started it dies, the
  /// process killed or crashed included (PR_SET_PDEATHSIG): for servers
  /// that must not outlive the program running them.
  bool die_with_parent = false;
};

struct CommandResult {
  int exit_code = -1;  ///< exit status, or 128+signal when killed by a signal
  bool timed_out = false;
  bool cancelled = false;  ///< stopped through the cancel hook
  std::string output;      ///< stdout and stderr interleaved (unless streamed)
  bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
};

/// Receives output as it arrives; when set, CommandResult::output stays empty.
using OutputSink = std::function<void(std::string_view chunk)>;

/// Polled about every 50 ms while the command runs; returning true sends
/// SIGINT to the whole process group, then SIGKILL after `grace`.
struct CancelHook {
  std::function<bool()> requested;
  std::chrono::milliseconds grace{30000};
};

/// Runs the command to completion. Never throws for the command's own
/// failure; a command that cannot be started exits 127 with the reason in
/// its output. What the sink or the cancel hook throws reaches the caller
/// after the command's process group is killed and the command reaped.
CommandResult RunCommand(const Command& cmd, const OutputSink& sink = {},
                         const CancelHook& cancel = {});

/// Renders argv for logs: each word quoted when it needs to be.
std::string DescribeArgv(const std::vector<std::string>& argv);

}  // namespace cbit
