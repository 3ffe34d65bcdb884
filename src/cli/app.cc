#include "cli/app.h"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace cbit::cli {
namespace {

constexpr const char* kFooter = R"(Exit status:
  0  done (every job followed ended Done or Uploaded)
  1  a job failed or was cancelled, or the controller refused the request (its message is shown)
  2  usage: the command line or a config file is wrong
  3  the controller could not be reached, or answered 5xx
  4  not authorized (401/403): sign in with `cbit login` or use a role that may do it
  5  not found (404): no such job, client or name

Controller and credentials: --url, else CBIT_URL, else the URL stored by `cbit login`
($XDG_CONFIG_HOME/cbit/config or ~/.config/cbit/config, mode 0600), else /etc/cbit/cli.json
(the site's defaults: url, distribution, format). CBIT_TOKEN overrides the stored credentials;
stored credentials are sent only to the URL they were stored for.)";

// Reads a line from stdin, with echo off while it is read when `secret`.
std::string AskTerminal(const std::string& prompt, bool secret) {
  std::cerr << prompt << std::flush;
  termios old{};
  bool restore = secret && ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

}  // namespace

const Settings& Context::settings() {
  if (!settings_) settings_ = ResolveSettings(io.env, url_option);
  return *settings_;
}

Controller& Context::controller() {
  if (!controller_) controller_ = std::make_unique<Controller>(settings());
  return *controller_;
}

Style Context::style() const {
  bool colour = io.out_terminal && !no_colour && !io.env("NO_COLOR");
  return {io.out_terminal, colour};
}

Io ProcessIo() {
  Io io{std::cin, std::cout, std::cerr};
  io.in_terminal = ::isatty(STDIN_FILENO) == 1;
  io.out_terminal = ::isatty(STDOUT_FILENO) == 1;
  io.err_terminal = ::isatty(STDERR_FILENO) == 1;
  io.env = ProcessEnv();
  io.ask = AskTerminal;
  io.now = [] {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  io.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  return io;
}

int Run(int argc, const char* const* argv, Io& io) {
  Context ctx(io);
  CLI::App app("cbit: submit packages to a cbit build farm and follow their jobs", "cbit");
  app.footer(kFooter);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--url", ctx.url_option, "the controller, http[s]://host:port[/prefix]");
  app.add_flag("--json", ctx.json, "listings as the API's JSON, unchanged");
  app.add_flag("-q,--quiet", ctx.quiet, "listings: ids only, one a line");
  app.add_flag("--no-colour,--no-color", ctx.no_colour, "no colours (also: NO_COLOR set)");
  AddAuthCommands(app, ctx);
  AddSubmitCommand(app, ctx);
  AddJobCommands(app, ctx);
  AddLogCommand(app, ctx);
  AddAdminCommands(app, ctx);
  AddWatchCommand(app, ctx);
  AddCompletionCommand(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, io.out, io.err);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kUsage);
  }
  try {
    if (!ctx.action) return static_cast<int>(ExitCode::kUsage);
    return static_cast<int>(ctx.action());
  } catch (const CliError& e) {
    io.err << "cbit: " << e.what() << "\n";
    return static_cast<int>(e.code);
  } catch (const std::exception& e) {
    // An answer of another shape than the API's (a proxy's page, an older
    // controller): reported, never a crash.
    io.err << "cbit: unexpected answer from the controller: " << e.what() << "\n";
    return static_cast<int>(ExitCode::kFailed);
  }
}

}  // namespace cbit::cli
