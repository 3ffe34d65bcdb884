// cbit-watcher's own figures for GET /metrics (docs/protocol.md, "A build
// client's and the watcher's metrics"): uploads judged, reports waiting for
// the controller, reprepro runs and their durations, and when the
// controller last took a report. The runner and controller API decorators
// count at the watcher's seams, so the loop itself knows nothing of metrics.
#pragma once

#include <string>

#include "metrics/registry.h"
#include "watcher/controller_api.h"
#include "watcher/reporter.h"
#include "watcher/reprepro.h"

namespace cbit::watcher {

class WatcherMetrics {
 public:
  WatcherMetrics();

  /// An upload was judged (published or not).
  void UploadJudged(bool published);
  /// Reports waiting for the controller now (on disk with a spool).
  void ReportsWaiting(std::size_t n) { waiting_.With({}).Set(static_cast<double>(n)); }
  /// One reprepro command ended after `seconds`.
  void RepreproRan(const Command& cmd, const CommandResult& r, double seconds);
  /// The controller took a status report of `status` now.
  void ReportAccepted(const std::string& status);

  /// Options whose hooks count judged uploads and waiting reports.
  Reporter::Options Hook(Reporter::Options opts);

  std::string Render() const { return registry_.Render(); }

 private:
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& uploads_;
  metrics::Family<metrics::Gauge>& waiting_;
  metrics::Family<metrics::Counter>& runs_;
  metrics::Family<metrics::Histogram>& run_seconds_;
  metrics::Family<metrics::Counter>& accepted_;
  metrics::Family<metrics::Gauge>& last_accepted_;
};

/// The reprepro command of an argv ("processincoming", "listfilter", …;
/// "other" for one the watcher does not run), a bounded label.
std::string RepreproCommand(const std::vector<std::string>& argv);

class MeteredRunner final : public CommandRunner {
 public:
  MeteredRunner(CommandRunner& runner, WatcherMetrics& metrics) : runner_(runner), m_(metrics) {}
  CommandResult Run(const Command& cmd) override;

 private:
  CommandRunner& runner_;
  WatcherMetrics& m_;
};

class MeteredControllerApi final : public ControllerApi {
 public:
  MeteredControllerApi(ControllerApi& api, WatcherMetrics& metrics) : api_(api), m_(metrics) {}
  std::vector<Id> FindJobs(const std::string& package, const std::string& version,
                           const std::string& arch, const std::string& status) override {
    return api_.FindJobs(package, version, arch, status);
  }
  LogEnd LogEndOf(Id job) override { return api_.LogEndOf(job); }
  void AppendLog(Id job, int attempt, std::int64_t offset, const std::string& text) override {
    api_.AppendLog(job, attempt, offset, text);
  }
  void ReportStatus(Id job, const std::string& status) override {
    api_.ReportStatus(job, status);
    m_.ReportAccepted(status);
  }

 private:
  ControllerApi& api_;
  WatcherMetrics& m_;
};

}  // namespace cbit::watcher
