// The daemon's paths against a broker in memory, a fake publisher and a fake
// controller: how each delivery is settled after a job, what is published
// again, and what a stop does to a running job and its delivery.
#include <gtest/gtest.h>

#include "client/daemon_test_fixture.h"

namespace cbit::client {
namespace {
using namespace daemon_testing;  // NOLINT(google-build-using-namespace)
using namespace std::chrono_literals;

TEST_F(DaemonTest, DeclaresItsQueuesAndConsumesThem) {
  Start();
  ASSERT_TRUE(broker_.WaitFor(std::string("consume ") + kQueue));
  Stop();
  auto ev = broker_.events();
  auto at = [&](const std::string& e) { return std::find(ev.begin(), ev.end(), e) - ev.begin(); };
  EXPECT_LT(at("declare Debian_amd64_chickpea_deb Debian.amd64.chickpea.deb"), ev.size());
  EXPECT_LT(at("delay cbit_retry_30s_Debian_amd64_chickpea_deb 30000 Debian.amd64.chickpea.deb"),
            ev.size());
  EXPECT_LT(at("delay cbit_retry_120s_Debian_amd64_chickpea_deb 120000 Debian.amd64.chickpea.deb"),
            ev.size());
  EXPECT_LT(at("consume-auto build_client_test"), ev.size());
}

TEST_F(DaemonTest, ABuiltJobIsReportedDoneAndItsDeliveryAcknowledged) {
  api_.AddJob(kJob, "Waiting");
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  EXPECT_TRUE(publisher_.sent().empty());
}

TEST_F(DaemonTest, AFailedBuildIsReportedFailedAndItsDeliveryAcknowledged) {
  api_.AddJob(kJob, "Waiting");
  runner_.Answer({.exit_code = 2, .output = "dh_auto_build: error: make returned exit code 2\n"});
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Failed"}));
  EXPECT_FALSE(Happened("reject 1 requeue"));
}

// A failure of the build machine goes back to the queue through the delay
// queue of its retry, with the count in its header; out of retries it fails.
TEST_F(DaemonTest, AFullDiskIsRetriedThroughTheDelayQueueWithItsCountThenFails) {
  config_.infra_retries = 2;
  api_.AddJob(kJob, "Waiting");
  runner_.Answer({.exit_code = 2, .output = "cc1: fatal error: No space left on device\n"});
  broker_.Put(kQueue, Request(kJob), {{kInfraRetryHeader, 1}});
  broker_.Put(kQueue, Request(kJob), {{kInfraRetryHeader, 2}});
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, "cbit_retry_60s_Debian_amd64_chickpea_deb");
  EXPECT_EQ(sent[0].headers, (std::map<std::string, std::int64_t>{{kInfraRetryHeader, 2}}));
  EXPECT_EQ(api_.History(kJob),
            (std::vector<std::string>{"Waiting", "Building", "Waiting", "Building", "Failed"}));
  auto reasons = api_.Reasons(kJob);
  ASSERT_EQ(reasons.size(), 4u);
  EXPECT_EQ(reasons[1],
            "disk-full: retry 2 of 2 in 60 s: dpkg-buildpackage: no space left on device");
  EXPECT_EQ(reasons[3],
            "disk-full: failed after 2 retries: dpkg-buildpackage: no space left on device");
}

TEST_F(DaemonTest, ARequestForAFinishedJobIsAcknowledgedWithoutABuild) {
  api_.AddJob(kJob, "Done");
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), std::vector<std::string>{"Done"});
  EXPECT_FALSE(runner_.built());
}

// Never requeued (it would come back forever): dead-lettered with its reason,
// and the next request is served.
TEST_F(DaemonTest, AMalformedRequestIsDeadLetteredWithItsReason) {
  api_.AddJob(kJob, "Done");
  broker_.Put(kQueue, std::string(100000, '['));
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  EXPECT_TRUE(Happened("ack 1"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, kDeadLetterQueue);
  EXPECT_EQ(sent[0].queue, kDeadLetterQueue);
  EXPECT_EQ(sent[0].body, std::string(100000, '['));
  EXPECT_NE(sent[0].text_headers[kRejectedReasonHeader].find("nested deeper"), std::string::npos);
  EXPECT_EQ(sent[0].text_headers[kRejectedFromHeader], kQueue);
}

// Anything not signed by the controller is dead-lettered unread, whatever
// it asks: here a request naming a real job, and a cancel of it.
TEST_F(DaemonTest, MessagesNotSignedByTheControllerAreDeadLetteredUnread) {
  api_.AddJob(kJob, "Waiting");
  broker_.SignWith(std::nullopt);
  broker_.Put(kQueue, Request(kJob));
  broker_.SignWith(queue::NewSigningKey());  // another key: a forger's
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].routing_key, kDeadLetterQueue);
  EXPECT_NE(sent[0].text_headers[kRejectedReasonHeader].find("not signed"), std::string::npos);
  EXPECT_NE(sent[1].text_headers[kRejectedReasonHeader].find("does not list"), std::string::npos);
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting"}));
  EXPECT_FALSE(runner_.built());
}

// Keys that cannot be read yet (the controller is away) postpone the
// request rather than refuse it.
TEST_F(DaemonTest, ARequestWhoseSignatureCannotBeCheckedYetIsPublishedAgainLater) {
  api_.AddJob(kJob, "Waiting");
  api_.SetSigningKeysUnreachable(true);
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, DelayQueueName(30s, kQueue));
  EXPECT_EQ(sent[0].text_headers[queue::kSignatureHeader], Sign(key_, Request(kJob)));
}

TEST_F(DaemonTest, AMalformedRequestIsDroppedWhenTheDeadLetterQueueCannotBeReached) {
  publisher_.SetDown(true);
  broker_.Put(kQueue, "{not a build request");
  Start();
  ASSERT_TRUE(broker_.WaitFor("reject 1 drop"));
  EXPECT_FALSE(Happened("ack 1"));
}

TEST_F(DaemonTest, WhenTheControllerIsAwayTheRequestIsPublishedAgainThroughTheDelayQueue) {
  api_.AddJob(kJob, "Waiting");
  api_.FailNext(1);
  broker_.Put(kQueue, Request(kJob), {{kAttemptHeader, 2}});
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, "cbit_retry_30s_Debian_amd64_chickpea_deb");
  EXPECT_EQ(sent[0].body, Request(kJob));
  EXPECT_EQ(sent[0].headers, (std::map<std::string, std::int64_t>{{kAttemptHeader, 2}}));
  EXPECT_EQ(api_.History(kJob), std::vector<std::string>{"Waiting"});
}

TEST_F(DaemonTest, WhenTheDelayQueueCannotBeReachedTheRequestIsHandedBack) {
  api_.AddJob(kJob, "Waiting");
  api_.FailNext(1);
  publisher_.SetDown(true);
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("reject 1 requeue"));
  EXPECT_FALSE(Happened("ack 1"));
}

TEST_F(DaemonTest, ARequestBuildingOnALiveClientIsDeferredWithItsCount) {
  api_.AddJob(kJob, "Waiting");
  api_.ReportStatus(kJob, "Building", "build_client_other", "");
  broker_.SetConsumerCount("build_client_other", 1);
  broker_.Put(kQueue, Request(kJob), {{kDeferredHeader, 3}});
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].routing_key, "cbit_retry_30s_Debian_amd64_chickpea_deb");
  EXPECT_EQ(sent[0].headers.at(kDeferredHeader), 4);
  EXPECT_FALSE(runner_.built());
}

// The controller takes a job Building elsewhere only from the holder named.
TEST_F(DaemonTest, ARequestBuildingOnASilentClientIsTakenOverNamingThatClient) {
  api_.AddJob(kJob, "Waiting");
  api_.ReportStatus(kJob, "Building", "build_client_other", "");
  broker_.Put(kQueue, Request(kJob), {{kDeferredHeader, 1}});
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.TakeoverFrom(kJob), "build_client_other");
  EXPECT_EQ(api_.History(kJob),
            (std::vector<std::string>{"Waiting", "Building", "Building", "Done"}));
}

TEST_F(DaemonTest, ADependencyWaitIsPublishedAgainAfterTheNextDelayThenAcknowledged) {
  api_.AddJob(kJob, "Waiting");
  runner_.Answer({.exit_code = 3, .output = "Unmet build dependencies: libfoo-dev\n"});
  broker_.Put(kQueue, Request(kJob), {{kAttemptHeader, 1}, {kDeferredHeader, 1}});
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Blocked"}));
  auto sent = publisher_.sent();
  ASSERT_EQ(sent.size(), 1u);
  // The second wait sleeps twice as long; a deferral count does not carry over.
  EXPECT_EQ(sent[0].routing_key, "cbit_retry_60s_Debian_amd64_chickpea_deb");
  EXPECT_EQ(sent[0].headers, (std::map<std::string, std::int64_t>{{kAttemptHeader, 2}}));
}

TEST_F(DaemonTest, ADependencyWaitThatCannotBePublishedAgainIsHandedBack) {
  api_.AddJob(kJob, "Waiting");
  runner_.Answer({.exit_code = 3, .output = "Unmet build dependencies: libfoo-dev\n"});
  publisher_.SetDown(true);
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(broker_.WaitFor("reject 1 requeue"));
  EXPECT_FALSE(Happened("ack 1"));
}

TEST_F(DaemonTest, AStopDuringABuildInterruptsItReportsWaitingAndHandsTheDeliveryBack) {
  api_.AddJob(kJob, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  stop_ = true;  // as SIGTERM does
  thread_.join();
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
  auto ev = broker_.events();
  auto cancel = std::find(ev.begin(), ev.end(), "cancel");
  auto requeue = std::find(ev.begin(), ev.end(), "reject 1 requeue");
  ASSERT_NE(requeue, ev.end());
  EXPECT_LT(cancel, requeue);  // no new work is taken first
  EXPECT_FALSE(Happened("ack 1"));
}

// Quorum queues have no channel-wide prefetch: each build queue's consumer
// has its own, so they are cancelled while a job builds, not handed requests
// they would have to give back.
TEST_F(DaemonTest, WithQuorumQueuesTheBuildConsumersPauseWhileAJobBuilds) {
  config_.amqp.queue_type = queue::QueueType::kQuorum;
  config_.suites = {"chickpea", "lentil"};
  api_.AddJob(kJob, "Waiting");
  api_.AddJob(kJob + 1, "Waiting");
  Job other = TestJob(kJob + 1);
  other.instance.suite.name = "lentil";
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  broker_.Put(
      "Debian_amd64_lentil_deb",
      wire::Encode(BuildRequest{other, {"git", "https://example.org/h.git", "abc"}, "c", {}}));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(Happened("cancel"));
  for (const auto& e : broker_.events()) EXPECT_EQ(e.find("requeue"), std::string::npos) << e;
  runner_.Release();
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  EXPECT_EQ(api_.History(kJob).back(), "Done");
  EXPECT_EQ(api_.History(kJob + 1).back(), "Done");
  auto ev = broker_.events();
  EXPECT_GE(std::count(ev.begin(), ev.end(), "consume Debian_amd64_lentil_deb"), 2);
}

TEST_F(DaemonTest, ACancelRequestStopsTheRunningJobWhoseDeliveryIsAcknowledged) {
  api_.AddJob(kJob, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  broker_.Put(kClient, Cancel(kJob));
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Cancelled"}));
}

TEST_F(DaemonTest, ACancelRequestForAnotherJobLeavesTheBuildRunning) {
  api_.AddJob(kJob, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  broker_.Put(kClient, Cancel(kJob + 1));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building"}));
  runner_.Release();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob).back(), "Done");
}

TEST_F(DaemonTest, ADeliveryOfALostConnectionIsNotSettledOnTheNextOne) {
  api_.AddJob(kJob, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  broker_.Drop();  // the request is the broker's again, redelivered
  for (auto until = std::chrono::steady_clock::now() + 10s;
       broker_.connections() < 2 && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(broker_.connections(), 2);
  runner_.Release();
  ASSERT_TRUE(WaitHistory(kJob, {"Waiting", "Building", "Done"}));
  // The redelivered request comes once the job is finished, and is dropped.
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  EXPECT_FALSE(Happened("ack 1"));
  EXPECT_FALSE(Happened("reject 1 requeue"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
}

// Each restart of the broker is a new outage: the client reconnects after
// the first delay, not after one doubled by every earlier outage.
TEST_F(DaemonTest, EachLostConnectionIsRetriedFromTheFirstDelay) {
  Start();
  for (int drop = 1; drop <= 5; ++drop) {
    for (auto until = std::chrono::steady_clock::now() + 3s;
         broker_.connections() < drop && std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(5ms);
    ASSERT_EQ(broker_.connections(), drop) << "reconnection " << drop << " took over 3 s";
    broker_.Drop();
  }
}

TEST_F(DaemonTest, ABrokerLostWhileSettlingAFinishedJobLeavesTheDaemonRunning) {
  api_.AddJob(kJob, "Waiting");
  api_.AddJob(kJob + 1, "Waiting");
  broker_.Put(kQueue, Request(kJob));
  broker_.FailNextSettle();
  Start();
  ASSERT_TRUE(WaitHistory(kJob, {"Waiting", "Building", "Done"}));
  // The daemon reconnects and builds the next job, on a new connection.
  broker_.Put(kQueue, Request(kJob + 1));
  ASSERT_TRUE(WaitHistory(kJob + 1, {"Waiting", "Building", "Done"}));
  EXPECT_GE(broker_.connections(), 2);
}

bool WaitUntil(const std::function<bool()>& done) {
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(5ms))
    if (done()) return true;
  return false;
}

TEST_F(DaemonTest, ALostLeaseStopsTheBuildReportsNothingMoreAndServesTheNextRequest) {
  config_.lease_renew = 20ms;
  api_.AddJob(kJob, "Waiting");
  api_.AddJob(kJob + 1, "Waiting");
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  EXPECT_TRUE(WaitUntil([&] { return api_.renewals() >= 2; }));
  api_.ExpireLease(kJob);  // the controller gave the job to the queue again
  // The next renewal hears 409: the build is interrupted (the runner saw
  // its cancel hook), the delivery acknowledged, nothing reported.
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
  EXPECT_FALSE(Happened("reject 1 requeue"));
  runner_.Release();
  broker_.Put(kQueue, Request(kJob + 1));
  ASSERT_TRUE(broker_.WaitFor("ack 2"));
  EXPECT_EQ(api_.History(kJob + 1), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
}

TEST_F(DaemonTest, RenewalsTheControllerDoesNotAnswerAreRetried) {
  config_.lease_renew = 10ms;
  api_.AddJob(kJob, "Waiting");
  api_.FailRenewals(5);
  runner_.Hold();
  broker_.Put(kQueue, Request(kJob));
  Start();
  ASSERT_TRUE(runner_.WaitBuilding());
  EXPECT_TRUE(WaitUntil([&] { return api_.renewals() >= 8; })) << api_.renewals();
  runner_.Release();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
}

TEST_F(DaemonTest, AnIdleClientSendsHeartbeats) {
  config_.heartbeat = 10ms;
  Start();
  EXPECT_TRUE(WaitUntil([&] { return api_.heartbeats() >= 3; })) << api_.heartbeats();
  // Each says which queues the client consumes: its build queue, then its command queue.
  EXPECT_EQ(api_.heartbeat_queues(), (std::vector<std::string>{kQueue, kClient}));
}

// With `jobs: 2` two requests build at once (the channel's prefetch is 2);
// a third waits for a free slot.

// cross_arches: the queues of each cross arch are declared, consumed and
// named in the heartbeat beside host_arch's, per suite.
TEST_F(DaemonTest, ACrossClientConsumesTheQueuesOfItsCrossArchesToo) {
  config_.suites = {"chickpea", "bookworm"};
  config_.build.build_arch = "amd64";
  config_.build.cross_arches = {"arm64", "armhf"};
  config_.heartbeat = 10ms;
  Start();
  ASSERT_TRUE(broker_.WaitFor("consume Debian_armhf_bookworm_deb"));
  EXPECT_TRUE(WaitUntil([&] { return api_.heartbeats() >= 1; }));
  Stop();
  for (const char* e : {"declare Debian_arm64_chickpea_deb Debian.arm64.chickpea.deb",
                        "declare Debian_armhf_bookworm_deb Debian.armhf.bookworm.deb",
                        "delay cbit_retry_30s_Debian_arm64_chickpea_deb 30000 "
                        "Debian.arm64.chickpea.deb",
                        "consume Debian_amd64_chickpea_deb", "consume Debian_arm64_chickpea_deb",
                        "consume Debian_armhf_chickpea_deb", "consume Debian_amd64_bookworm_deb",
                        "consume Debian_arm64_bookworm_deb"}) {
    EXPECT_TRUE(Happened(e)) << e;
  }
  EXPECT_EQ(api_.heartbeat_queues(),
            (std::vector<std::string>{"Debian_amd64_chickpea_deb", "Debian_arm64_chickpea_deb",
                                      "Debian_armhf_chickpea_deb", "Debian_amd64_bookworm_deb",
                                      "Debian_arm64_bookworm_deb", "Debian_armhf_bookworm_deb",
                                      kClient}));
}

// A request from a cross arch's queue is built for that arch: the toolchain
// checked, then dpkg-buildpackage -a.
TEST_F(DaemonTest, ARequestOfACrossArchIsCrossBuilt) {
  config_.build.build_arch = "amd64";
  config_.build.cross_arches = {"arm64"};
  api_.AddJob(kJob, "Waiting");
  broker_.Put("Debian_arm64_chickpea_deb", Request(kJob, "arm64"));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  auto argvs = runner_.argvs();
  auto has = [&](const std::vector<std::string>& argv) {
    return std::find(argvs.begin(), argvs.end(), argv) != argvs.end();
  };
  EXPECT_TRUE(has({"dpkg-checkbuilddeps", "-aarm64", "-d",
                   "crossbuild-essential-arm64:native, libc6-dev:arm64"}));
  EXPECT_TRUE(has({"dpkg-buildpackage", "-us", "-uc", "-B", "-aarm64", "-Pcross,nocheck"}));
}

// A request of an arch the client neither builds nor cross-builds (routed
// to its queue by mistake) fails, saying so, and is never retried.
TEST_F(DaemonTest, ARequestOfAnArchTheClientDoesNotServeIsRefused) {
  config_.build.build_arch = "amd64";
  config_.build.cross_arches = {"arm64"};
  api_.AddJob(kJob, "Waiting");
  broker_.Put(kQueue, Request(kJob, "armhf"));
  Start();
  ASSERT_TRUE(broker_.WaitFor("ack 1"));
  EXPECT_EQ(api_.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Failed"}));
  EXPECT_EQ(api_.Reasons(kJob).back(),
            "infrastructure: refused: this client builds amd64, arm64 (cross), not armhf");
  EXPECT_FALSE(runner_.built());
  EXPECT_TRUE(publisher_.sent().empty());
}

}  // namespace
}  // namespace cbit::client
