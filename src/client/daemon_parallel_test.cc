// A client with `jobs: 2` (daemon_test_fixture.h): builds at once, each
// cancelled, stopped and settled on its own.
#include <gtest/gtest.h>

#include "client/daemon_test_fixture.h"

namespace cbit::client {
namespace {
using namespace daemon_testing;  // NOLINT(google-build-using-namespace)
using namespace std::chrono_literals;

TEST_F(DaemonTest, WithTwoJobsTwoRequestsBuildAtOnceAndAThirdWaits) {
  config_.jobs = 2;
  for (Id id : {kJob, kJob + 1, kJob + 2}) {
    api_.AddJob(id, "Waiting");
    broker_.Put(kQueue, Request(id));
  }
  runner_.Hold();
  Start();
  ASSERT_TRUE(runner_.WaitBuilding(2));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building"}));
  EXPECT_EQ(api_.History(kJob + 1), (std::vector<std::string>{"Waiting", "Building"}));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(api_.History(kJob + 2), std::vector<std::string>{"Waiting"});
  EXPECT_EQ(runner_.max_active(), 2);
  runner_.Release();
  for (Id id : {kJob, kJob + 1, kJob + 2}) {
    EXPECT_TRUE(WaitHistory(id, {"Waiting", "Building", "Done"})) << id;
  }
  ASSERT_TRUE(broker_.WaitFor("ack 3"));
  EXPECT_TRUE(Happened("ack 1"));
  EXPECT_TRUE(Happened("ack 2"));
}

TEST_F(DaemonTest, ACancelStopsOnlyItsJobWhileAnotherBuildsOn) {
  ASSERT_NO_FATAL_FAILURE(StartTwoHeldBuilds());
  broker_.Put(kClient, Cancel(kJob));
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Cancelled"}));
  EXPECT_EQ(api_.History(kJob + 1), (std::vector<std::string>{"Waiting", "Building"}));
  EXPECT_EQ(runner_.active(), 1);
  EXPECT_FALSE(Happened("ack 2"));
  runner_.Release();
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  EXPECT_EQ(api_.History(kJob + 1), (std::vector<std::string>{"Waiting", "Building", "Done"}));
}

TEST_F(DaemonTest, AStopHandsEveryRunningJobBack) {
  ASSERT_NO_FATAL_FAILURE(StartTwoHeldBuilds());
  stop_ = true;  // as SIGTERM does
  thread_.join();
  for (Id id : {kJob, kJob + 1}) {
    EXPECT_EQ(api_.History(id), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
  }
  EXPECT_TRUE(Happened("reject 1 requeue"));
  EXPECT_TRUE(Happened("reject 2 requeue"));
  EXPECT_EQ(runner_.active(), 0);
}

// The same job offered again while it builds here (a deferral, a lease that
// ran out) is not built twice at once: it is looked at again later.
TEST_F(DaemonTest, ARequestForAJobBuildingInAnotherSlotIsPublishedAgainLater) {
  config_.jobs = 2;
  api_.AddJob(kJob, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding(1));
  broker_.Put(kQueue, Request(kJob), {{kDeferredHeader, 1}});
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, DelayQueueName(30s, kQueue));
  EXPECT_EQ(runner_.max_active(), 1);
  runner_.Release();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
}

}  // namespace
}  // namespace cbit::client
