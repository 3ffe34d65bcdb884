// A cbit-web process for integration tests that kill and restart the
// controller: the real binary on a fixed port and a SQLite file, so a
// restart finds the same database where the clients expect it. Its admin is
// kAdminUser/kAdminPassword; it dispatches to `amqp_port` (nothing need
// listen there: submissions then wait in the outbox).
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tests/support/child_process.h"

namespace cbit::testing {

struct WebSetup {
  std::string dir;  ///< holds the config, the database and the log
  int port = 0;
  int amqp_port = 0;
  nlohmann::json webhooks;  ///< the "webhooks" section; null: none
  nlohmann::json db;        ///< the "db" section; null: SQLite in `dir`
  nlohmann::json controller = nlohmann::json::object();  ///< more "controller" keys
  std::string log_level = "debug";
  nlohmann::json web = nlohmann::json::object();  ///< more "web" keys
};

class WebProcess {
 public:
  /// Starts cbit-web and waits until it listens. Throws std::runtime_error.
  explicit WebProcess(const WebSetup& setup);
  WebProcess(const WebProcess&) = delete;
  WebProcess& operator=(const WebProcess&) = delete;

  /// SIGKILL: nothing of it runs its shutdown.
  void Kill() { child_->Kill(); }
  /// SIGTERM, then waits; its exit status.
  int Stop() { return child_->Stop(); }
  std::string Log() const { return child_->Log(); }
  bool WaitForLog(const std::string& text, std::chrono::seconds deadline) const {
    return child_->WaitForLog(text, deadline);
  }
  pid_t pid() const { return child_->pid(); }

 private:
  std::optional<ChildProcess> child_;
};

}  // namespace cbit::testing
