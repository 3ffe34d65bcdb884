#include "watcher/watcher_metrics.h"

#include <gtest/gtest.h>

#include "metrics/test_exposition.h"
#include "watcher/fake_watcher.h"

namespace cbit::watcher {
namespace {

using metrics::ParseExposition;

TEST(WatcherMetrics, RepreproCommandIsABoundedLabel) {
  EXPECT_EQ(RepreproCommand({"reprepro", "-b", "/srv/repo", "processincoming", "r", "x.changes"}),
            "processincoming");
  EXPECT_EQ(RepreproCommand({"reprepro", "-b", "/r", "--list-format=x", "listfilter", "c", "f"}),
            "listfilter");
  EXPECT_EQ(RepreproCommand({"reprepro", "-b", "/r", "made-up-command"}), "other");
  EXPECT_EQ(RepreproCommand({"dpkg", "list"}), "other");
  EXPECT_EQ(RepreproCommand({}), "other");
}

TEST(WatcherMetrics, RunsCountedByCommandAndResult) {
  FakeRunner fake;
  WatcherMetrics m;
  MeteredRunner runner(fake, m);
  runner.Run({.argv = {"reprepro", "-b", "/r", "processincoming", "in"}});
  fake.respond = [](const Command&) {
    CommandResult r;
    r.timed_out = true;
    return r;
  };
  runner.Run({.argv = {"reprepro", "-b", "/r", "processincoming", "in"}});
  fake.respond = [](const Command&) {
    CommandResult r;
    r.exit_code = 254;
    return r;
  };
  runner.Run({.argv = {"reprepro", "-b", "/r", "listfilter", "c", "f"}});
  auto e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_watcher_reprepro_runs_total",
                    {{"command", "processincoming"}, {"result", "ok"}}),
            1);
  EXPECT_EQ(e.Value("cbit_watcher_reprepro_runs_total",
                    {{"command", "processincoming"}, {"result", "timeout"}}),
            1);
  EXPECT_EQ(e.Value("cbit_watcher_reprepro_runs_total",
                    {{"command", "listfilter"}, {"result", "failed"}}),
            1);
  EXPECT_EQ(
      e.Value("cbit_watcher_reprepro_duration_seconds_count", {{"command", "processincoming"}}), 2);
}

TEST(WatcherMetrics, UploadsJudgedAndReportsWaitingThroughTheReporter) {
  FakeControllerApi fake;
  fake.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  WatcherMetrics m;
  MeteredControllerApi api(fake, m);
  Reporter r(api, m.Hook({}));
  fake.fail_with = 0;  // unreachable: the reports wait
  r.Add({"hello_1.0_amd64.changes", "hello", "1.0", "amd64", true, "log\n"}, {});
  r.Add({"hello_1.0_amd64.changes", "hello", "1.0", "amd64", false, "log\n"}, {});
  r.Flush({});
  auto e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_watcher_uploads_total", {{"result", "published"}}), 1);
  EXPECT_EQ(e.Value("cbit_watcher_uploads_total", {{"result", "failed"}}), 1);
  EXPECT_EQ(e.Value("cbit_watcher_reports_waiting"), 2);
  EXPECT_EQ(e.Value("cbit_watcher_last_report_accepted_timestamp_seconds"), std::nullopt);

  fake.fail_with.reset();
  r.Flush(Reporter::Clock::time_point{} + std::chrono::hours(1));
  e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_watcher_reports_waiting"), 0);
  EXPECT_EQ(e.Value("cbit_watcher_reports_accepted_total", {{"status", "Uploaded"}}), 1);
  EXPECT_EQ(e.Value("cbit_watcher_reports_accepted_total", {{"status", "Failed"}}), 1);
  EXPECT_GT(e.Value("cbit_watcher_last_report_accepted_timestamp_seconds").value_or(0), 1.6e9);
}

}  // namespace
}  // namespace cbit::watcher
