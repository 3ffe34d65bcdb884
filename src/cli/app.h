// The `cbit` command: its subcommands on one CLI11 app, run against the
// terminal (or streams, in tests), answering the exit status.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "cli/controller.h"
#include "cli/exit_code.h"
#include "cli/settings.h"
#include "cli/table.h"

namespace cbit::cli {

/// Where a run reads and writes, so tests can run it on streams.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_terminal = false;
  bool out_terminal = false;
  bool err_terminal = false;
  Env env;
  /// Reads one line from the terminal after `prompt` (without echo when
  /// `secret`); tests hand back canned answers.
  std::function<std::string(const std::string& prompt, bool secret)> ask;
  /// Seconds since the epoch.
  std::function<std::int64_t()> now;
  /// Sleeps between polls (tests may shorten it).
  std::function<void(std::chrono::milliseconds)> sleep;
};

/// The options every subcommand takes, and what a command needs to run.
class Context {
 public:
  explicit Context(Io& io) : io(io) {}
  Io& io;
  std::string url_option;
  bool json = false;
  bool quiet = false;
  bool no_colour = false;

  /// The settings (files, environment, --url), resolved once.
  const Settings& settings();
  /// The controller of settings(), connected on first use.
  Controller& controller();
  Style style() const;
  /// The command chosen on the command line: runs after parsing.
  std::function<ExitCode()> action;

 private:
  std::optional<Settings> settings_;
  std::unique_ptr<Controller> controller_;
};

/// Runs `cbit` with argv; returns the exit status (cli/exit_code.h).
int Run(int argc, const char* const* argv, Io& io);

/// The Io of the real program: std streams, isatty, getenv, termios.
Io ProcessIo();

// Each group of subcommands adds itself to the app (cmd_*.cc).
void AddAuthCommands(CLI::App& app, Context& ctx);
void AddSubmitCommand(CLI::App& app, Context& ctx);
void AddJobCommands(CLI::App& app, Context& ctx);
void AddLogCommand(CLI::App& app, Context& ctx);
void AddAdminCommands(CLI::App& app, Context& ctx);
void AddWatchCommand(CLI::App& app, Context& ctx);
void AddCompletionCommand(CLI::App& app, Context& ctx);

}  // namespace cbit::cli
