#include "watcher/reporter.h"

#include <gtest/gtest.h>

#include "watcher/fake_watcher.h"

namespace cbit::watcher {
namespace {

using namespace std::chrono_literals;
using Clock = Reporter::Clock;

UploadOutcome Outcome(bool published) {
  return {"hello_1.0_amd64.changes", "hello", "1.0", "amd64", published, "reprepro says hi\n"};
}

TEST(Reporter, NewestDoneJobGetsTheLogThenTheStatus) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {3, 7};
  api.log_ends[7] = {2, 120};
  Reporter r(api, {});
  Clock::time_point t0{};
  r.Add(Outcome(true), t0);
  r.Flush(t0);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls, (std::vector<std::string>{"Find hello 1.0 amd64 Done", "LogEnd 7",
                                                 "Append 7 2 120", "Status 7 Uploaded"}));
  EXPECT_EQ(api.appended[7], "reprepro says hi\n");
}

TEST(Reporter, FailedUploadReportsFailed) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  Reporter r(api, {});
  r.Add(Outcome(false), {});
  r.Flush({});
  EXPECT_EQ(api.calls.back(), "Status 7 Failed");
}

TEST(Reporter, NoJobIsAManualUpload) {
  FakeControllerApi api;
  Reporter r(api, {});
  r.Add(Outcome(true), {});
  r.Flush({});
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls, (std::vector<std::string>{
                           "Find hello 1.0 amd64 Done", "Find hello 1.0 amd64 Building",
                           "Find hello 1.0 amd64 Waiting", "Find hello 1.0 amd64 Blocked",
                           "Find hello 1.0 amd64 Done"}));
}

// The client reports Done between the watcher's look for Done jobs and its
// look for Building ones: neither look sees the job, yet it is there.
TEST(Reporter, AJobTurningDoneBetweenTheLooksIsFound) {
  FakeControllerApi api;
  const std::string building = FakeControllerApi::Key("hello", "1.0", "amd64", "Building");
  api.jobs[building] = {7};
  int finds = 0;
  api.after_find = [&] {
    if (++finds == 1) {
      api.jobs.erase(building);
      api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
    }
  };
  Reporter r(api, {});
  r.Add(Outcome(true), {});
  r.Flush({});
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls.back(), "Status 7 Uploaded");
}

// A job whose lease ran out goes back to Waiting and is built again: the
// upload its first attempt made waits for it too.
TEST(Reporter, WaitsForAJobWaitingToBeBuiltAgain) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Waiting")] = {7};
  Reporter r(api, {.first_delay = 1s, .max_delay = 8s, .building_grace = 10s});
  Clock::time_point t0{};
  r.Add(Outcome(true), t0);
  r.Flush(t0);
  EXPECT_EQ(r.pending(), 1u);
  api.jobs.clear();
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  r.Flush(t0 + 1s);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls.back(), "Status 7 Uploaded");
}

TEST(Reporter, WaitsForAJobStillBuildingWithinTheGrace) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Building")] = {7};
  Reporter r(api, {.first_delay = 1s, .max_delay = 8s, .building_grace = 10s});
  Clock::time_point t0{};
  r.Add(Outcome(true), t0);
  r.Flush(t0);
  EXPECT_EQ(r.pending(), 1u);
  EXPECT_EQ(r.NextDue(), t0 + 1s);
  // The client reports Done.
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  r.Flush(t0 + 1s);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls.back(), "Status 7 Uploaded");
}

TEST(Reporter, GivesUpWaitingForBuildingAfterTheGrace) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Building")] = {7};
  Reporter r(api, {.first_delay = 1s, .max_delay = 8s, .building_grace = 10s});
  Clock::time_point t0{};
  r.Add(Outcome(true), t0);
  r.Flush(t0 + 10s);
  EXPECT_EQ(r.pending(), 0u);
}

TEST(Reporter, UnreachableControllerIsRetriedWithDoublingDelays) {
  FakeControllerApi api;
  api.jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  api.fail_with = 0;
  Reporter r(api, {.first_delay = 1s, .max_delay = 4s});
  Clock::time_point t0{};
  r.Add(Outcome(true), t0);
  r.Flush(t0);
  EXPECT_EQ(r.NextDue(), t0 + 1s);
  r.Flush(t0 + 500ms);  // not due: nothing tried
  r.Flush(t0 + 1s);
  EXPECT_EQ(r.NextDue(), t0 + 3s);
  r.Flush(t0 + 3s);
  EXPECT_EQ(r.NextDue(), t0 + 7s);
  r.Flush(t0 + 7s);
  EXPECT_EQ(r.NextDue(), t0 + 11s);  // capped at max_delay
  api.fail_with.reset();
  r.Flush(t0 + 11s);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(api.calls.back(), "Status 7 Uploaded");
}

TEST(Reporter, RefusedReportIsDropped) {
  FakeControllerApi api;
  api.fail_with = 400;
  Reporter r(api, {});
  r.Add(Outcome(true), {});
  r.Flush({});
  EXPECT_EQ(r.pending(), 0u);
}

}  // namespace
}  // namespace cbit::watcher
