// The step log and the command-runner seam of the client. Every command a step
// runs goes through a Runner, which writes its argv line ("$ git clone …") and
// then its output to a LogSink, so a daemon can stream the whole job log to
// the controller. Tests swap in FakeRunner; dry_run swaps in DryRunRunner.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "util/subprocess.h"

namespace cbit::client {

/// Receives the job log as it is produced: argv lines and command output.
using LogSink = std::function<void(std::string_view)>;

/// Writes `text` to `sink` when there is one.
void Log(const LogSink& sink, std::string_view text);

/// Runs one command of a step.
class Runner {
 public:
  virtual ~Runner() = default;

  /// Logs the argv line, runs `cmd` with its output streamed to `sink`, and
  /// returns its result with `output` holding the last kOutputTail bytes
  /// (enough for the summaries the builders classify).
  virtual CommandResult Run(const Command& cmd, const LogSink& sink,
                            const CancelHook& cancel = {}) = 0;

  /// False when commands are only logged: steps then skip checks of the
  /// files a command would have produced.
  virtual bool RunsCommands() const { return true; }

  static constexpr std::size_t kOutputTail = std::size_t{64} * 1024;
};

/// Runs commands for real, through RunCommand.
class SubprocessRunner final : public Runner {
 public:
  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override;
};

/// pyBit's dry_run: logs "[dry-run] $ argv…" and reports success, running nothing.
class DryRunRunner final : public Runner {
 public:
  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override;
  bool RunsCommands() const override { return false; }
};

}  // namespace cbit::client
