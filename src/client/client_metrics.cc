#include "client/client_metrics.h"

#include <chrono>

namespace cbit::client {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string ResultLabel(const JobReport& report) {
  return report.lease_lost ? "lease-lost" : std::string(OutcomeName(report.outcome));
}

// Results and failure classes are closed sets (outcome.h), so the series
// stay few whatever the jobs are.
ClientMetrics::ClientMetrics()
    : started_(registry_.AddCounter("cbit_client_builds_started_total",
                                    "Jobs this client started building.")),
      finished_(registry_.AddCounter("cbit_client_builds_finished_total",
                                     "Jobs this client finished, by result and failure class.",
                                     {"result", "failure_class"})),
      duration_(registry_.AddHistogram(
          "cbit_client_build_duration_seconds",
          "From a build request's delivery to the job's final report, by result.", {"result"},
          metrics::DurationBounds())),
      running_(registry_.AddGauge("cbit_client_builds_running", "Jobs building now.")),
      slots_(registry_.AddGauge("cbit_client_build_slots", "Builds run at once at most (jobs).")),
      broker_(registry_.AddGauge("cbit_client_broker_connected",
                                 "1 while the client is connected to RabbitMQ, else 0.")),
      heartbeat_(registry_.AddGauge("cbit_client_last_heartbeat_timestamp_seconds",
                                    "When the controller last took this client's heartbeat.")),
      lease_(registry_.AddGauge("cbit_client_last_lease_renewal_timestamp_seconds",
                                "When the controller last renewed a lease of this client's.")),
      log_bytes_(registry_.AddCounter("cbit_client_log_bytes_streamed_total",
                                      "Build log bytes the controller took.")) {
  registry_
      .AddGauge("cbit_client_process_start_time_seconds",
                "When this process started, seconds since the epoch.")
      .With({})
      .Set(Now());
  BrokerConnected(false);
  Slots(0, 0);
  started_.With({});
  log_bytes_.With({});
}

void ClientMetrics::BuildFinished(const JobReport& report) {
  const std::string result = ResultLabel(report);
  finished_.With({result, std::string(FailureClassName(report.failure))}).Inc();
  duration_.With({result}).Observe(std::chrono::duration<double>(report.total).count());
}

void ClientMetrics::Slots(std::size_t running, int slots) {
  running_.With({}).Set(static_cast<double>(running));
  slots_.With({}).Set(slots);
}

void ClientMetrics::HeartbeatTaken() { heartbeat_.With({}).Set(Now()); }

void ClientMetrics::LeaseRenewed() { lease_.With({}).Set(Now()); }

}  // namespace cbit::client
