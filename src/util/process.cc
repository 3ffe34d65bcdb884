#include "util/process.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace cbit::process {

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    // CLI11's own statuses (105, 106, …) would contradict the documented ones.
    return app.exit(e) == 0 ? 0 : static_cast<int>(ExitCode::kBadConfig);
  }
}

int Run(std::string_view name, const std::function<void()>& body) {
  try {
    body();
  } catch (const ConfigError& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return static_cast<int>(ExitCode::kBadConfig);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return static_cast<int>(ExitCode::kStartupFailed);
  }
  return static_cast<int>(ExitCode::kOk);
}

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  waiter_ = std::thread([this] { Wait(); });
}

StopSignals::~StopSignals() {
  closing_ = true;
  // Sent to the waiter itself, where it is blocked: its sigwait takes it
  // (a wake-up, not a termination: the signal is blocked and waited for).
  pthread_kill(waiter_.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter_.join();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

void StopSignals::Wait() {
  int sig = 0;
  sigwait(&set_, &sig);
  if (closing_) return;
  spdlog::info("signal {}: stopping", sig);
  source_.request_stop();  // runs the stop callbacks
  flag_ = true;
}

}  // namespace cbit::process
