// The job logic against a fake store and a fake broker: superseding, batch
// fallback, cancel and retry.
#include "controller/controller.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "controller/errors.h"
#include "controller/fake_job_store.h"
#include "core/wire.h"
#include "queue/fake_publisher.h"

namespace cbit::controller {
namespace {

using Ids = std::vector<Id>;
using Names = std::vector<std::string>;

class ControllerTest : public ::testing::Test {
 protected:
  Submission Sub(const std::string& package, const std::string& version,
                 const std::string& arches = "amd64") {
    return {package,
            version,
            "chickpea",
            "Debian",
            arches,
            "deb",
            Transport{"git", "https://git.example/" + package, "v" + version}};
  }
  Id OnlyJob(const Dispatch& d) {
    EXPECT_EQ(d.jobs.size(), 1u);
    return d.jobs.empty() ? 0 : d.jobs.front();
  }
  std::string Status(Id job) { return store_.GetJob(job).status; }
  /// The messages published to `routing_key`, in order.
  std::vector<queue::Message> SentTo(const std::string& routing_key) {
    std::vector<queue::Message> out;
    for (auto& m : publisher_.sent())
      if (m.routing_key == routing_key) out.push_back(m);
    return out;
  }

  FakeJobStore store_;
  queue::FakePublisher publisher_;
  Outbox outbox_{store_, publisher_};
  Controller controller_{store_, outbox_, {.web_host = "controller.example:8080"}};
};

TEST_F(ControllerTest, SubmitRecordsAJobPerTargetAndPublishesItsBuildRequest) {
  Dispatch d = controller_.Submit(Sub("hello", "1.0", "any"));
  ASSERT_EQ(d.jobs.size(), 2u);
  EXPECT_EQ(Status(d.jobs[0]), status::kWaiting);
  auto sent = SentTo("Debian.amd64.chickpea.deb");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].queue, "Debian_amd64_chickpea_deb");
  BuildRequest br = wire::DecodeBuildRequest(sent[0].body);
  EXPECT_EQ(br.job.id, d.jobs[0]);
  EXPECT_EQ(br.transport.vcs_id, "v1.0");
  EXPECT_EQ(br.web_host, "controller.example:8080");
  EXPECT_EQ(SentTo("Debian.i386.chickpea.deb").size(), 1u);
}

TEST_F(ControllerTest, ANewerVersionCancelsTheOlderWaitingJob) {
  Id old = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  Dispatch d = controller_.Submit(Sub("hello", "1.1"));
  EXPECT_EQ(d.cancelled, Ids{old});
  EXPECT_EQ(Status(old), status::kCancelled);
  EXPECT_EQ(Status(OnlyJob(d)), status::kWaiting);
}

TEST_F(ControllerTest, TheSameVersionAgainSupersedesTheFirst) {
  Id first = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  Dispatch d = controller_.Submit(Sub("hello", "1.0"));
  EXPECT_EQ(d.cancelled, Ids{first});
  EXPECT_EQ(Status(first), status::kCancelled);
}

TEST_F(ControllerTest, AnOlderVersionLeavesTheNewerJobAlone) {
  Id newer = OnlyJob(controller_.Submit(Sub("hello", "2.0")));
  Dispatch d = controller_.Submit(Sub("hello", "1.9"));
  EXPECT_TRUE(d.cancelled.empty());
  EXPECT_TRUE(d.cancel_requested.empty());
  EXPECT_EQ(Status(newer), status::kWaiting);
  EXPECT_EQ(Status(OnlyJob(d)), status::kWaiting);
}

TEST_F(ControllerTest, OnlyTheSameTargetIsSuperseded) {
  Id amd64 = OnlyJob(controller_.Submit(Sub("hello", "1.0", "amd64")));
  Id other = OnlyJob(controller_.Submit(Sub("other", "1.0", "amd64")));
  Dispatch d = controller_.Submit(Sub("hello", "1.1", "i386"));
  EXPECT_TRUE(d.cancelled.empty());
  EXPECT_EQ(Status(amd64), status::kWaiting);
  EXPECT_EQ(Status(other), status::kWaiting);
}

TEST_F(ControllerTest, ANewerVersionAsksTheClientBuildingTheOlderToStop) {
  Id old = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.SetStatus(old, status::kBuilding, "build_client_amd64");
  Dispatch d = controller_.Submit(Sub("hello", "1.1"));
  EXPECT_EQ(d.cancel_requested, Ids{old});
  EXPECT_TRUE(d.cancelled.empty());
  // The client reports Cancelled once it has stopped the build.
  EXPECT_EQ(Status(old), status::kBuilding);
  auto sent = SentTo("build_client_amd64");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].queue, "");  // never creates a gone client's queue
  CancelRequest cr = wire::DecodeCancelRequest(sent[0].body);
  EXPECT_EQ(cr.job.id, old);
  EXPECT_EQ(cr.job.instance.package.version, "1.0");
}

TEST_F(ControllerTest, FinishedJobsAreNotSuperseded) {
  Id done = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.SetStatus(done, status::kDone);
  Dispatch d = controller_.Submit(Sub("hello", "1.1"));
  EXPECT_TRUE(d.cancelled.empty());
  EXPECT_EQ(Status(done), status::kDone);
}

// Holds the first transaction open until released, so that the submissions
// made meanwhile queue up and are recorded together as the next batch.
// Bounded, so that a test that goes wrong fails instead of hanging.
class Gate {
 public:
  void Hold() {
    std::unique_lock lock(mu_);
    if (first_) {
      first_ = false;
      held_ = true;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(10), [&] { return open_; });
    }
  }
  bool WaitHeld() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return held_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool first_ = true, held_ = false, open_ = false;
};

void WaitUntil(const std::function<bool()>& cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!cond() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(cond());
}

TEST_F(ControllerTest, ConcurrentSubmissionsShareATransaction) {
  Gate gate;
  store_.OnWrite([&] { gate.Hold(); });
  auto first =
      std::async(std::launch::async, [&] { return controller_.Submit(Sub("first", "1")); });
  ASSERT_TRUE(gate.WaitHeld());
  auto b = std::async(std::launch::async, [&] { return controller_.Submit(Sub("second", "1")); });
  WaitUntil([&] { return controller_.queued() == 1; });
  auto c = std::async(std::launch::async, [&] { return controller_.Submit(Sub("third", "1")); });
  WaitUntil([&] { return controller_.queued() == 2; });
  gate.Open();
  first.get();
  b.get();
  c.get();
  auto tx = store_.transactions();
  ASSERT_EQ(tx.size(), 2u);
  EXPECT_EQ(tx[1].packages, (Names{"second", "third"}));
  EXPECT_TRUE(tx[1].committed);
}

TEST_F(ControllerTest, WhenABatchFailsEachSubmissionIsRetriedAloneAndOnlyTheBadOneFails) {
  store_.RefusePackage("bad");
  Gate gate;
  store_.OnWrite([&] { gate.Hold(); });
  auto first =
      std::async(std::launch::async, [&] { return controller_.Submit(Sub("first", "1")); });
  ASSERT_TRUE(gate.WaitHeld());
  auto bad = std::async(std::launch::async, [&] { return controller_.Submit(Sub("bad", "1")); });
  WaitUntil([&] { return controller_.queued() == 1; });
  auto good = std::async(std::launch::async, [&] { return controller_.Submit(Sub("good", "1")); });
  WaitUntil([&] { return controller_.queued() == 2; });
  gate.Open();
  first.get();
  EXPECT_THROW(bad.get(), store::Conflict);
  Dispatch d = good.get();
  EXPECT_EQ(Status(OnlyJob(d)), status::kWaiting);
  EXPECT_EQ(SentTo("Debian.amd64.chickpea.deb").size(), 2u);  // first's and good's

  auto tx = store_.transactions();
  ASSERT_EQ(tx.size(), 4u);
  EXPECT_EQ(tx[1].packages, (Names{"bad", "good"}));
  EXPECT_FALSE(tx[1].committed);
  EXPECT_EQ(tx[2].packages, (Names{"bad"}));
  EXPECT_FALSE(tx[2].committed);
  EXPECT_EQ(tx[3].packages, (Names{"good"}));
  EXPECT_TRUE(tx[3].committed);
}

TEST_F(ControllerTest, ASubmissionThatFailsAloneReportsItsError) {
  store_.RefusePackage("bad");
  EXPECT_THROW(controller_.Submit(Sub("bad", "1")), store::Conflict);
  EXPECT_EQ(store_.transactions().size(), 1u);  // not tried twice
  EXPECT_TRUE(publisher_.sent().empty());
}

TEST_F(ControllerTest, CancelMarksAWaitingJobCancelled) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  EXPECT_EQ(controller_.Cancel(job), CancelOutcome::kCancelled);
  EXPECT_EQ(Status(job), status::kCancelled);
  EXPECT_EQ(publisher_.sent().size(), 1u);  // the build request only
}

TEST_F(ControllerTest, CancelAsksTheBuildingClientToStop) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.SetStatus(job, status::kBuilding, "build_client_amd64");
  EXPECT_EQ(controller_.Cancel(job), CancelOutcome::kRequested);
  EXPECT_EQ(Status(job), status::kBuilding);
  auto sent = SentTo("build_client_amd64");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(wire::DecodeCancelRequest(sent[0].body).job.id, job);
}

TEST_F(ControllerTest, CancelOfAFinishedJobChangesNothing) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.SetStatus(job, status::kDone);
  EXPECT_EQ(controller_.Cancel(job), CancelOutcome::kAlreadyFinished);
  EXPECT_EQ(Status(job), status::kDone);
}

TEST_F(ControllerTest, CancelOfAnUnknownJobIsNotFound) {
  EXPECT_THROW(controller_.Cancel(42), store::NotFound);
}

TEST_F(ControllerTest, CancelPackageCancelsOnlyThatVersionsUnfinishedJobs) {
  Dispatch v1 = controller_.Submit(Sub("hello", "1.0", "any"));
  store_.SetStatus(v1.jobs[1], status::kFailed);
  Id other = OnlyJob(controller_.Submit(Sub("other", "1.0")));
  Id package = store_.GetJob(v1.jobs[0]).instance.package.id;
  // Failed is unfinished but not cancellable: only Waiting, Blocked and
  // Building are.
  EXPECT_EQ(controller_.CancelPackage(package), 1);
  EXPECT_EQ(Status(v1.jobs[0]), status::kCancelled);
  EXPECT_EQ(Status(v1.jobs[1]), status::kFailed);
  EXPECT_EQ(Status(other), status::kWaiting);
}

TEST_F(ControllerTest, RetryCreatesANewJobForTheSameInstanceAndTransport) {
  Id failed = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.SetStatus(failed, status::kFailed);
  Id again = OnlyJob(controller_.Retry(failed));
  EXPECT_NE(again, failed);
  EXPECT_EQ(store_.GetJob(again).instance.id, store_.GetJob(failed).instance.id);
  EXPECT_EQ(Status(again), status::kWaiting);
  auto sent = SentTo("Debian.amd64.chickpea.deb");
  ASSERT_EQ(sent.size(), 2u);
  BuildRequest br = wire::DecodeBuildRequest(sent[1].body);
  EXPECT_EQ(br.job.id, again);
  EXPECT_EQ(br.transport.uri, "https://git.example/hello");
  EXPECT_EQ(br.transport.vcs_id, "v1.0");
}

TEST_F(ControllerTest, RetryOfAWaitingJobSupersedesIt) {
  Id waiting = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  Dispatch d = controller_.Retry(waiting);
  EXPECT_EQ(d.cancelled, Ids{waiting});
  EXPECT_EQ(Status(waiting), status::kCancelled);
}

TEST_F(ControllerTest, RetryOfAnUnknownJobIsNotFound) {
  EXPECT_THROW(controller_.Retry(42), store::NotFound);
}

StatusReport Said(const std::string& status, std::optional<std::string> client = std::nullopt) {
  return {status, std::move(client), std::nullopt, std::nullopt};
}

// What cbit-client and pyBit's client send (Building with their name, then
// the outcome, pyBit's without a name), then the watcher.
TEST_F(ControllerTest, ReportsFollowTheLifeCycleAndRepeatsWriteNothing) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  EXPECT_EQ(controller_.Report(job, Said("Building", "build_client_a")).buildclient->name,
            "build_client_a");
  EXPECT_EQ(controller_.Report(job, Said("Done")).status, "Done");
  const int history = store_.HistoryLength(job);
  EXPECT_EQ(controller_.Report(job, Said("Done")).status, "Done");
  EXPECT_EQ(controller_.Report(job, Said("Done", "build_client_a")).status, "Done");
  EXPECT_EQ(store_.HistoryLength(job), history);
  EXPECT_EQ(controller_.Report(job, Said("Uploaded")).status, "Uploaded");
  EXPECT_EQ(controller_.Report(job, Said("Uploaded")).status, "Uploaded");
  EXPECT_EQ(store_.HistoryLength(job), history + 1);
}

TEST_F(ControllerTest, AFinishedJobStaysFinished) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  ASSERT_EQ(controller_.Cancel(job), CancelOutcome::kCancelled);
  for (const char* s : {"Uploaded", "Done", "Building", "Waiting", "Failed"}) {
    try {
      controller_.Report(job, Said(s, "build_client_a"));
      ADD_FAILURE() << "Cancelled -> " << s << " accepted";
    } catch (const store::Conflict& e) {
      EXPECT_NE(std::string(e.what()).find("is Cancelled: it cannot become " + std::string(s)),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(Status(job), status::kCancelled);
}

TEST_F(ControllerTest, AReportOnAnotherClientsJobIsRefusedNamingTheHolder) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  controller_.Report(job, Said("Building", "build_client_a"));
  try {
    controller_.Report(job, Said("Done", "build_client_b"));
    ADD_FAILURE() << "accepted";
  } catch (const store::Conflict& e) {
    EXPECT_NE(std::string(e.what()).find("held by build_client_a"), std::string::npos) << e.what();
  }
  EXPECT_THROW(controller_.Report(job, Said("Building", "build_client_b")), store::Conflict);
  EXPECT_EQ(Status(job), status::kBuilding);
  EXPECT_EQ(store_.GetJob(job).buildclient->name, "build_client_a");
  // Taking over from the holder it saw is accepted once.
  StatusReport takeover{"Building", "build_client_b", std::nullopt, "build_client_a"};
  EXPECT_EQ(controller_.Report(job, takeover).buildclient->name, "build_client_b");
  takeover.client = "build_client_c";
  EXPECT_THROW(controller_.Report(job, takeover), store::Conflict);
}

// Claims decided under the job's lock: of many clients claiming one job at
// once, one holds it and the others hear who.
TEST_F(ControllerTest, OfConcurrentClaimsExactlyOneWins) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  std::vector<std::future<bool>> claims;
  for (int i = 0; i < 8; ++i) {
    claims.push_back(std::async(std::launch::async, [&, i] {
      try {
        controller_.Report(job, Said("Building", "build_client_" + std::to_string(i)));
        return true;
      } catch (const store::Conflict&) {
        return false;
      }
    }));
  }
  int won = 0;
  for (auto& c : claims) won += c.get() ? 1 : 0;
  EXPECT_EQ(won, 1);
}

// Cancel reads the job before its transaction: one that failed meanwhile
// stays Failed.
TEST_F(ControllerTest, ACancelLeavesAJobThatFinishedMeanwhile) {
  Id job = OnlyJob(controller_.Submit(Sub("hello", "1.0")));
  store_.OnWrite([&] { store_.SetStatus(job, status::kFailed); });
  EXPECT_EQ(controller_.Cancel(job), CancelOutcome::kCancelled);
  store_.OnWrite(nullptr);
  EXPECT_EQ(Status(job), status::kFailed);
}

TEST_F(ControllerTest, AReportOnAnUnknownJobIsNotFound) {
  EXPECT_THROW(controller_.Report(42, Said("Building", "a")), store::NotFound);
}

// Leases, on a clock the test moves.
class LeaseTest : public ControllerTest {
 protected:
  static constexpr std::int64_t kSecond = 1000000;
  std::int64_t now_ = 1000 * kSecond;
  Controller leased_{store_,
                     outbox_,
                     {.web_host = "controller.example:8080",
                      .clock = [this] { return now_; },
                      .lease = {.lease_us = 60 * kSecond, .max_attempts = 2}}};

  Id Claimed(const std::string& client) {
    Id job = OnlyJob(leased_.Submit(Sub("hello", "1.0")));
    leased_.Report(job, Said("Building", client));
    return job;
  }
};

TEST_F(LeaseTest, ASilentHoldersJobGoesBackToTheQueueAsANewAttempt) {
  Id job = Claimed("build_client_a");
  now_ += 60 * kSecond;
  EXPECT_EQ(leased_.ExpireLeases(), 0);  // the lease runs 60 s
  EXPECT_EQ(Status(job), "Building");
  now_ += 1;
  EXPECT_EQ(leased_.ExpireLeases(), 1);
  EXPECT_EQ(Status(job), "Waiting");
  ASSERT_EQ(store_.Reasons(job).size(), 1u);
  EXPECT_EQ(store_.Reasons(job)[0].rfind("lease expired: client build_client_a not heard from", 0),
            0u)
      << store_.Reasons(job)[0];
  // Its build request went out again, as at submission.
  auto sent = SentTo("Debian.amd64.chickpea.deb");
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].body, sent[0].body);
  EXPECT_EQ(leased_.ExpireLeases(), 0);  // nothing more to do
}

TEST_F(LeaseTest, RenewalsReportsAndLogsKeepTheLease) {
  Id job = Claimed("build_client_a");
  now_ += 50 * kSecond;
  store::JobLease l = leased_.RenewLease(job, "build_client_a");
  EXPECT_EQ(l.last_heard_us, now_);
  now_ += 50 * kSecond;
  EXPECT_EQ(leased_.ExpireLeases(), 0);
  EXPECT_EQ(Status(job), "Building");
}

TEST_F(LeaseTest, TheLastAttemptsExpiryFailsTheJobWithTheReason) {
  Id job = Claimed("build_client_a");
  now_ += 61 * kSecond;
  ASSERT_EQ(leased_.ExpireLeases(), 1);
  leased_.Report(job, Said("Building", "build_client_b"));  // attempt 2 of 2
  now_ += 61 * kSecond;
  ASSERT_EQ(leased_.ExpireLeases(), 1);
  EXPECT_EQ(Status(job), "Failed");
  ASSERT_EQ(store_.Reasons(job).size(), 2u);
  EXPECT_NE(store_.Reasons(job)[1].find("client build_client_b"), std::string::npos);
  EXPECT_NE(store_.Reasons(job)[1].find("attempt 2 of 2"), std::string::npos);
  EXPECT_EQ(SentTo("Debian.amd64.chickpea.deb").size(), 2u);  // not published a third time
}

TEST_F(LeaseTest, AClientThatLostItsLeaseIsToldSoAndCannotFinishTheJob) {
  Id job = Claimed("build_client_a");
  now_ += 61 * kSecond;
  ASSERT_EQ(leased_.ExpireLeases(), 1);
  try {
    leased_.RenewLease(job, "build_client_a");
    ADD_FAILURE() << "renewed a lost lease";
  } catch (const store::Conflict& e) {
    EXPECT_NE(std::string(e.what()).find("lost its lease"), std::string::npos) << e.what();
  }
  EXPECT_THROW(leased_.Report(job, Said("Done", "build_client_a")), store::Conflict);
  leased_.Report(job, Said("Building", "build_client_b"));
  try {
    leased_.RenewLease(job, "build_client_a");
    ADD_FAILURE() << "renewed another client's lease";
  } catch (const store::Conflict& e) {
    EXPECT_NE(std::string(e.what()).find("held by build_client_b"), std::string::npos) << e.what();
  }
  EXPECT_THROW(leased_.Report(job, Said("Done", "build_client_a")), store::Conflict);
  EXPECT_EQ(leased_.Report(job, Said("Done", "build_client_b")).status, "Done");
}

}  // namespace
}  // namespace cbit::controller
