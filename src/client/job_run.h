// One job on a build client, from the moment the daemon decided to build it:
// report Building, then CHECKOUT → BUILD → UPLOAD → CLEAN (docs/design.md, "The build client") with
// every command's argv and output streamed to the controller's log, then report the final status.
// No AMQP here: the daemon settles the delivery from the report this returns.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "client/config.h"
#include "client/controller_api.h"
#include "client/decide.h"
#include "client/log_stream.h"
#include "client/outcome.h"
#include "client/runner.h"
#include "core/model.h"

namespace cbit::client {

/// What a job runs against.
struct JobEnvironment {
  const ClientConfig& config;
  ControllerApi& api;
  Runner& runner;  ///< SubprocessRunner, or DryRunRunner for dry_run
  LogStream::Options log;
  /// The job is Building on this other client, which went silent: it is
  /// taken over from it (the controller refuses if another holds it now).
  std::optional<std::string> takeover_from = {};
  /// Retries of failures of the build machine so far (kInfraRetryHeader).
  int infra_retries_done = 0;
};

/// Asked about every 50 ms while a command runs.
struct JobSignals {
  std::function<bool()> cancelled;  ///< a CancelRequest for this job arrived
  std::function<bool()> stopping;   ///< the daemon is shutting down
};

struct JobReport {
  Settle settle = Settle::kAck;
  Outcome outcome = Outcome::kBuilt;
  std::string detail;  ///< why, when not built
  FailureClass failure = FailureClass::kNone;
  std::chrono::seconds retry_delay{0};      ///< kRetryInfra: through this delay queue
  std::chrono::milliseconds to_building{};  ///< delivery → Building reported
  std::chrono::milliseconds total{};        ///< delivery → final status reported
  std::chrono::milliseconds in_tools{};     ///< inside the commands the steps ran
  /// The controller refused a lease renewal: the build was stopped and
  /// nothing more reported.
  bool lease_lost = false;
};

/// Runs the job of `request`, delivered at `delivered`.
JobReport RunJob(const BuildRequest& request, const JobEnvironment& env, const JobSignals& signals,
                 std::chrono::steady_clock::time_point delivered);

}  // namespace cbit::client
