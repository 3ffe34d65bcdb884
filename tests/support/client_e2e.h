// The fixture of the client's end-to-end tests: a controller (real SQLite
// store, real AMQP publisher to the shared RabbitMQ node) with a catalog of
// one suite of its own per test on this machine's arch, a local incoming
// directory, and helpers to submit packages and watch their jobs.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/model.h"
#include "queue/publisher.h"
#include "tests/support/client_process.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/watcher_process.h"

namespace cbit::testing {

class ClientE2e : public ::testing::Test {
 protected:
  void SetUp() override;
  /// Changes the controller's config before it starts (short leases).
  virtual void TuneController(web::Config&) {}

  /// Catalog rows for `suite` on the host arch (SetUp adds a fresh suite).
  void AddSuite(const std::string& suite);
  /// A client of this test's suite, uploading to incoming().
  ClientSetup Client(const std::string& clientid) const;
  /// POST /job/vcshook for the package; returns the job's id.
  Id Submit(const PackageSpec& spec, const std::string& method, const std::string& uri,
            const std::string& vcs_id, const std::string& arch_list = "any");
  /// The job's status names, oldest first.
  std::vector<std::string> Statuses(Id job);
  /// Waits until the job's current status is `status`; false at the deadline.
  bool WaitForStatus(Id job, const std::string& status, std::chrono::seconds deadline);
  /// Waits until `pred` holds; false at the deadline.
  static bool WaitFor(const std::function<bool()>& pred, std::chrono::seconds deadline);
  /// GET /job/<id>/log (latest attempt).
  std::string LogOf(Id job);
  /// True when a process whose command line contains `text` runs.
  static bool ProcessRuns(const std::string& text);

  const std::string& suite() const { return suite_; }
  const std::string& incoming() const { return incoming_; }
  /// An empty directory the controller serves under /debian/.
  const std::string& repository() const { return repository_; }
  const std::string& scratch() const { return scratch_; }
  ControllerHarness& harness() { return *harness_; }

 private:
  std::unique_ptr<queue::Publisher> publisher_;
  std::unique_ptr<ControllerHarness> harness_;
  std::string suite_, scratch_, incoming_, repository_;
};

/// ClientE2e with the rest of the loop, wired as make up wires it: a reprepro
/// repository (serving the test's suite) fed by the incoming directory, the
/// watcher, one client, and a config for cbit-hook, each with its own token
/// of the least role. Stopped (and checked to stop cleanly) at TearDown.
class FarmE2e : public ClientE2e {
 protected:
  /// Starts the farm; the client is `client_prefix` + the suite.
  void StartFarm(const std::string& client_prefix);
  void TearDown() override;

  std::string hook_config_;  ///< CBIT_HOOK_CONFIG for the hook
  std::unique_ptr<WatcherProcess> watcher_;
  std::unique_ptr<ClientProcess> client_;
};

}  // namespace cbit::testing
