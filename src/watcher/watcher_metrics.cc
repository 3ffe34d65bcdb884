#include "watcher/watcher_metrics.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "core/model.h"

namespace cbit::watcher {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string RepreproCommand(const std::vector<std::string>& argv) {
  static constexpr std::array<const char*, 6> kKnown = {
      "processincoming", "listfilter", "list", "export", "check", "checkpool"};
  if (argv.empty() || argv[0] != "reprepro") return "other";
  // The first word after the options and their values (-b DIR).
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-b" || argv[i] == "--basedir") {
      ++i;
      continue;
    }
    if (argv[i].starts_with('-')) continue;
    auto known = std::find(kKnown.begin(), kKnown.end(), argv[i]);
    return known == kKnown.end() ? "other" : *known;
  }
  return "other";
}

WatcherMetrics::WatcherMetrics()
    : uploads_(registry_.AddCounter("cbit_watcher_uploads_total",
                                    "Uploads judged, by result (published or failed).",
                                    {"result"})),
      waiting_(registry_.AddGauge("cbit_watcher_reports_waiting",
                                  "Reports waiting for the controller to take them (in the "
                                  "spool on disk).")),
      runs_(registry_.AddCounter("cbit_watcher_reprepro_runs_total",
                                 "reprepro commands run, by command and result (ok, failed, "
                                 "timeout).",
                                 {"command", "result"})),
      run_seconds_(registry_.AddHistogram("cbit_watcher_reprepro_duration_seconds",
                                          "How long each reprepro command ran, by command.",
                                          {"command"}, metrics::DurationBounds())),
      accepted_(registry_.AddCounter("cbit_watcher_reports_accepted_total",
                                     "Status reports the controller took, by status.", {"status"})),
      last_accepted_(registry_.AddGauge(
          "cbit_watcher_last_report_accepted_timestamp_seconds",
          "When the controller last took a status report, seconds since the epoch.")) {
  registry_
      .AddGauge("cbit_watcher_process_start_time_seconds",
                "When this process started, seconds since the epoch.")
      .With({})
      .Set(Now());
  // Both results' series exist from the start, at 0.
  uploads_.With({"published"});
  uploads_.With({"failed"});
  ReportsWaiting(0);
}

void WatcherMetrics::UploadJudged(bool published) {
  uploads_.With({published ? "published" : "failed"}).Inc();
}

void WatcherMetrics::RepreproRan(const Command& cmd, const CommandResult& r, double seconds) {
  const std::string command = RepreproCommand(cmd.argv);
  const char* result = r.timed_out ? "timeout" : r.ok() ? "ok" : "failed";
  runs_.With({command, result}).Inc();
  run_seconds_.With({command}).Observe(seconds);
}

void WatcherMetrics::ReportAccepted(const std::string& status) {
  // Only the watcher's own statuses; anything else in one series.
  const bool known = status == status::kUploaded || status == status::kFailed;
  accepted_.With({known ? status : "other"}).Inc();
  last_accepted_.With({}).Set(Now());
}

Reporter::Options WatcherMetrics::Hook(Reporter::Options opts) {
  opts.added = [this](const UploadOutcome& o) { UploadJudged(o.published); };
  opts.waiting = [this](std::size_t n) { ReportsWaiting(n); };
  return opts;
}

CommandResult MeteredRunner::Run(const Command& cmd) {
  const auto start = std::chrono::steady_clock::now();
  CommandResult r = runner_.Run(cmd);
  m_.RepreproRan(cmd, r,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return r;
}

}  // namespace cbit::watcher
