#include "client/client_metrics.h"

#include <gtest/gtest.h>

#include "client/fake_controller_api.h"
#include "client/metered_api.h"
#include "metrics/test_exposition.h"

namespace cbit::client {
namespace {

using metrics::ParseExposition;

JobReport Report(Outcome o, FailureClass f, std::chrono::milliseconds total) {
  JobReport r;
  r.outcome = o;
  r.failure = f;
  r.total = total;
  return r;
}

TEST(ClientMetrics, StartsAtZeroWithEveryFamily) {
  ClientMetrics m;
  auto e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_client_builds_started_total"), 0);
  EXPECT_EQ(e.Value("cbit_client_log_bytes_streamed_total"), 0);
  EXPECT_EQ(e.Value("cbit_client_broker_connected"), 0);
  EXPECT_EQ(e.Value("cbit_client_builds_running"), 0);
  EXPECT_GT(e.Value("cbit_client_process_start_time_seconds").value_or(0), 1.6e9);
  EXPECT_EQ(e.types.at("cbit_client_build_duration_seconds"), "histogram");
}

TEST(ClientMetrics, BuildsByResultAndFailureClass) {
  ClientMetrics m;
  m.BuildStarted();
  m.BuildStarted();
  m.BuildStarted();
  m.Slots(2, 4);
  m.BuildFinished(Report(Outcome::kBuilt, FailureClass::kNone, std::chrono::milliseconds(1500)));
  m.BuildFinished(
      Report(Outcome::kInfrastructureFailed, FailureClass::kTimeout, std::chrono::seconds(90)));
  JobReport lost = Report(Outcome::kInfrastructureFailed, FailureClass::kNone, {});
  lost.lease_lost = true;
  m.BuildFinished(lost);
  auto e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_client_builds_started_total"), 3);
  EXPECT_EQ(e.Value("cbit_client_builds_finished_total",
                    {{"result", "built"}, {"failure_class", "none"}}),
            1);
  EXPECT_EQ(e.Value("cbit_client_builds_finished_total",
                    {{"result", "infrastructure-failed"}, {"failure_class", "timeout"}}),
            1);
  EXPECT_EQ(e.Value("cbit_client_builds_finished_total",
                    {{"result", "lease-lost"}, {"failure_class", "none"}}),
            1);
  EXPECT_EQ(e.Value("cbit_client_build_duration_seconds_count", {{"result", "built"}}), 1);
  EXPECT_EQ(e.Value("cbit_client_build_duration_seconds_sum", {{"result", "built"}}), 1.5);
  EXPECT_EQ(
      e.Value("cbit_client_build_duration_seconds_sum", {{"result", "infrastructure-failed"}}), 90);
  EXPECT_EQ(e.Value("cbit_client_builds_running"), 2);
  EXPECT_EQ(e.Value("cbit_client_build_slots"), 4);
}

TEST(ClientMetrics, MeteredApiCountsOnlyWhatTheControllerTook) {
  FakeControllerApi fake;
  ClientMetrics m;
  MeteredControllerApi api(fake, m);
  fake.AddJob(7, "Building");
  api.ReportStatus(7, "Building", "c1", "");
  api.AppendLog(7, std::nullopt, 0, "hello\n");
  fake.FailNext(1);
  EXPECT_THROW(api.AppendLog(7, std::nullopt, 6, "lost\n"), ApiError);
  api.RenewLease(7, "c1");
  api.Heartbeat("c1", {"q"});
  auto e = ParseExposition(m.Render());
  EXPECT_EQ(e.Value("cbit_client_log_bytes_streamed_total"), 6);
  EXPECT_GT(e.Value("cbit_client_last_lease_renewal_timestamp_seconds").value_or(0), 1.6e9);
  EXPECT_GT(e.Value("cbit_client_last_heartbeat_timestamp_seconds").value_or(0), 1.6e9);

  // A renewal the controller refused leaves the last renewal's time alone.
  ClientMetrics refused;
  MeteredControllerApi api2(fake, refused);
  fake.ExpireLease(7);
  EXPECT_THROW(api2.RenewLease(7, "c1"), ApiError);
  EXPECT_EQ(
      ParseExposition(refused.Render()).Value("cbit_client_last_lease_renewal_timestamp_seconds"),
      std::nullopt);
}

}  // namespace
}  // namespace cbit::client
