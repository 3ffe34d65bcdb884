// cbit-client's own figures for GET /metrics (docs/protocol.md, "A build
// client's and the watcher's metrics"): builds started and finished, how
// long they took, slots in use, the broker connection, the last heartbeat
// and lease renewal the controller took, and log bytes it acknowledged.
// Counted whether or not a listener serves them: an update is an atomic add.
#pragma once

#include <string>

#include "client/job_run.h"
#include "metrics/registry.h"

namespace cbit::client {

class ClientMetrics {
 public:
  ClientMetrics();

  void BuildStarted() { started_.With({}).Inc(); }
  /// A job's end, by result and failure class, with its duration.
  void BuildFinished(const JobReport& report);
  /// Builds running now out of `slots`.
  void Slots(std::size_t running, int slots);
  void BrokerConnected(bool connected) { broker_.With({}).Set(connected ? 1 : 0); }
  /// The controller took a heartbeat / a lease renewal now.
  void HeartbeatTaken();
  void LeaseRenewed();
  void LogBytesTaken(std::size_t n) { log_bytes_.With({}).Inc(static_cast<double>(n)); }

  /// The exposition text (Prometheus text format 0.0.4).
  std::string Render() const { return registry_.Render(); }

 private:
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& started_;
  metrics::Family<metrics::Counter>& finished_;
  metrics::Family<metrics::Histogram>& duration_;
  metrics::Family<metrics::Gauge>& running_;
  metrics::Family<metrics::Gauge>& slots_;
  metrics::Family<metrics::Gauge>& broker_;
  metrics::Family<metrics::Gauge>& heartbeat_;
  metrics::Family<metrics::Gauge>& lease_;
  metrics::Family<metrics::Counter>& log_bytes_;
};

/// "lease-lost" for a job whose lease the controller took away, otherwise
/// the outcome's name ("built", "build-failed", …).
std::string ResultLabel(const JobReport& report);

}  // namespace cbit::client
