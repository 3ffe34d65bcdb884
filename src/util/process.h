// What every cbit program's main() does the same way: its exit statuses, the
// command line over the config file, and SIGINT/SIGTERM as a stop request.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/json_config.h"

namespace cbit::process {

/// The exit statuses shared by every program (each --help lists them).
/// cbit-hook gives 2 and above meanings of its own (what it could not submit).
enum class ExitCode : int {
  kOk = 0,             ///< finished, or stopped by SIGINT/SIGTERM
  kBadConfig = 1,      ///< the command line or the config file is wrong
  kStartupFailed = 2,  ///< something needed before serving is unusable
};

/// Something needed before the program can serve is unusable (a directory,
/// a user, the database): Run() exits kStartupFailed.
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parses the command line: nullopt to go on, or the status to exit with:
/// kOk after --help, kBadConfig after an error (CLI11 has printed both).
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv);

/// Runs a program after its command line is parsed and turns how it ended
/// into its exit status: `body` returning → kOk; ConfigError → "<name>:
/// <message>" on stderr, kBadConfig; any other exception → "cannot start:
/// <message>" logged, kStartupFailed.
int Run(std::string_view name, const std::function<void()>& body);

/// SIGINT and SIGTERM as a stop request. Construct it before any thread
/// starts: the signals are blocked in this thread and so in every thread
/// started after it (child processes get them unblocked, util/subprocess),
/// and one thread of its own takes them (sigwait) and requests the stop:
/// poll requested() or flag(), or register a std::stop_callback on token().
class StopSignals {
 public:
  StopSignals();
  /// Ends the signal thread and unblocks the signals in this thread.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const { return flag_; }
  const std::atomic<bool>& flag() const { return flag_; }
  std::stop_token token() const { return source_.get_token(); }

 private:
  void Wait();
  sigset_t set_, previous_;
  std::atomic<bool> flag_{false};
  std::atomic<bool> closing_{false};
  std::stop_source source_;
  std::thread waiter_;
};

/// Command-line options over a config file: each option, when given on the
/// command line, replaces its key of the loaded config.
template <typename Config>
class CliOverrides {
 public:
  explicit CliOverrides(CLI::App& app) : app_(app) {}

  /// An option whose value replaces `field`.
  template <typename T>
  CLI::Option* Add(const std::string& flags, T Config::*field, const std::string& help) {
    auto value = std::make_shared<T>();
    CLI::Option* o = app_.add_option(flags, *value, help);
    setters_.push_back([o, value, field](Config& c) {
      if (*o) c.*field = *value;
    });
    return o;
  }
  /// A flag that sets `field` to true.
  CLI::Option* AddFlag(const std::string& flags, bool Config::*field, const std::string& help) {
    CLI::Option* o = app_.add_flag(flags, help);
    setters_.push_back([o, field](Config& c) {
      if (*o) c.*field = true;
    });
    return o;
  }
  /// An option whose text `apply` parses into the config (throws ConfigError).
  CLI::Option* AddParsed(const std::string& flags,
                         std::function<void(Config&, const std::string&)> apply,
                         const std::string& help) {
    auto value = std::make_shared<std::string>();
    CLI::Option* o = app_.add_option(flags, *value, help);
    setters_.push_back([o, value, apply = std::move(apply)](Config& c) {
      if (*o) apply(c, *value);
    });
    return o;
  }
  /// Writes every option given into `config`, in the order they were added.
  void ApplyTo(Config& config) const {
    for (const auto& set : setters_) set(config);
  }
  /// `config` (as read from its file) with the command line over it.
  Config Over(Config config) const {
    ApplyTo(config);
    return config;
  }

 private:
  CLI::App& app_;
  std::vector<std::function<void(Config&)>> setters_;
};

}  // namespace cbit::process
