#include "client/decide.h"

#include <gtest/gtest.h>

namespace cbit::client {
namespace {

using std::chrono::seconds;
constexpr const char* kSelf = "build_client_a";

RequestFacts Facts(std::optional<JobState> state) {
  RequestFacts f;
  f.state = std::move(state);
  return f;
}

TEST(Decide, WaitingOrBlockedBuilds) {
  EXPECT_EQ(Decide(Facts(JobState{"Waiting", std::nullopt}), kSelf), Action::kBuild);
  EXPECT_EQ(Decide(Facts(JobState{"Blocked", "build_client_b"}), kSelf), Action::kBuild);
}

TEST(Decide, UnknownJobAndFinishedOrCancelledJobsAreDropped) {
  EXPECT_EQ(Decide(Facts(std::nullopt), kSelf), Action::kDrop);
  for (const char* s : {"Cancelled", "Done", "Failed", "Uploaded", "Mystery", ""}) {
    RequestFacts f = Facts(JobState{s, std::nullopt});
    f.redelivered = true;
    EXPECT_EQ(Decide(f, kSelf), Action::kDrop) << s;
  }
}

TEST(Decide, ADuplicateOfARequestBeingBuiltIsDropped) {
  EXPECT_EQ(Decide(Facts(JobState{"Building", "build_client_b"}), kSelf), Action::kDrop);
}

TEST(Decide, ARedeliveryBuildingElsewhereIsDeferredWhileItsBuilderLives) {
  RequestFacts f = Facts(JobState{"Building", "build_client_b"});
  f.redelivered = true;
  f.builder_alive = true;
  EXPECT_EQ(Decide(f, kSelf), Action::kDefer);
  f.deferrals = 3;
  EXPECT_EQ(Decide(f, kSelf), Action::kDefer);
}

TEST(Decide, ASilentBuilderGetsOneDelayThenItsJobIsTakenOver) {
  RequestFacts f = Facts(JobState{"Building", "build_client_b"});
  f.redelivered = true;
  EXPECT_EQ(Decide(f, kSelf), Action::kDefer);
  f.redelivered = false;
  f.deferrals = 1;
  EXPECT_EQ(Decide(f, kSelf), Action::kBuild);
}

TEST(Decide, ARedeliveryBuildingUnderOurOwnNameIsLeftFromAnEarlierRun) {
  RequestFacts f = Facts(JobState{"Building", kSelf});
  f.redelivered = true;
  EXPECT_EQ(Decide(f, kSelf), Action::kBuild);
}

TEST(RetryDelay, DoublesFromTheBaseUpToTheCap) {
  EXPECT_EQ(RetryDelay(1, seconds(30), seconds(3600)), seconds(30));
  EXPECT_EQ(RetryDelay(2, seconds(30), seconds(3600)), seconds(60));
  EXPECT_EQ(RetryDelay(7, seconds(30), seconds(3600)), seconds(1920));
  EXPECT_EQ(RetryDelay(8, seconds(30), seconds(3600)), seconds(3600));
  EXPECT_EQ(RetryDelay(1000, seconds(30), seconds(3600)), seconds(3600));
}

TEST(RetryDelay, EveryDelayHasItsQueue) {
  auto delays = RetryDelays(seconds(30), seconds(3600));
  EXPECT_EQ(delays.size(), 8u);
  EXPECT_EQ(delays.front(), seconds(30));
  EXPECT_EQ(delays.back(), seconds(3600));
  EXPECT_EQ(RetryDelays(seconds(5), seconds(5)), std::vector<seconds>{seconds(5)});
  EXPECT_EQ(DelayQueueName(seconds(60), "Debian_amd64_bookworm_deb"),
            "cbit_retry_60s_Debian_amd64_bookworm_deb");
}

// How a job's steps end: the status, the reason for its history, and what
// happens to its request.
namespace ending {

StepResult Failed(Outcome o, FailureClass c, std::string detail) { return {o, detail, c}; }

constexpr InfraRetryPolicy kPolicy{2, std::chrono::seconds(30), std::chrono::seconds(3600)};

TEST(EndingFor, BuiltDependencyWaitAndCancelHaveNoReason) {
  JobEnding done = EndingFor({}, false, 0, kPolicy);
  EXPECT_EQ(done.status, "Done");
  EXPECT_EQ(done.settle, Settle::kAck);
  EXPECT_EQ(done.reason, "");
  JobEnding blocked =
      EndingFor({Outcome::kDependencyWait, "build: dependency-wait"}, false, 0, kPolicy);
  EXPECT_EQ(blocked.status, "Blocked");
  EXPECT_EQ(blocked.settle, Settle::kRetryLater);
  EXPECT_EQ(EndingFor({Outcome::kCancelled, "cancelled"}, false, 0, kPolicy).status, "Cancelled");
  JobEnding back = EndingFor({Outcome::kCancelled, "cancelled"}, true, 0, kPolicy);
  EXPECT_EQ(back.status, "Waiting");
  EXPECT_EQ(back.settle, Settle::kRequeue);
}

TEST(EndingFor, ABuildFailureOrATimeoutFailsAtOnceNamingItsClass) {
  JobEnding build = EndingFor({Outcome::kBuildFailed, "build: build-failed"}, false, 0, kPolicy);
  EXPECT_EQ(build.status, "Failed");
  EXPECT_EQ(build.settle, Settle::kAck);
  EXPECT_EQ(build.reason, "build: build: build-failed");
  JobEnding timeout =
      EndingFor(Failed(Outcome::kInfrastructureFailed, FailureClass::kTimeout,
                       "dpkg-buildpackage timed out: the build step's limit of 3 s ran out"),
                false, 0, kPolicy);
  EXPECT_EQ(timeout.status, "Failed");
  EXPECT_EQ(timeout.settle, Settle::kAck);
  EXPECT_EQ(timeout.reason,
            "timeout: dpkg-buildpackage timed out: the build step's limit of 3 s ran out");
  // A plain infrastructure failure (a missing tool) is not one of the
  // retried classes.
  EXPECT_EQ(
      EndingFor({Outcome::kInfrastructureFailed, "fakeroot could not be run"}, false, 0, kPolicy)
          .status,
      "Failed");
}

TEST(EndingFor, EachRetryableClassIsRetriedWithGrowingDelaysUpToTheCap) {
  for (FailureClass c :
       {FailureClass::kNetwork, FailureClass::kChrootMissing, FailureClass::kChrootFailed,
        FailureClass::kToolchainMissing, FailureClass::kDiskFull, FailureClass::kUpload}) {
    StepResult r = Failed(Outcome::kInfrastructureFailed, c, "dput exited with 1");
    std::string name(FailureClassName(c));
    JobEnding first = EndingFor(r, false, 0, kPolicy);
    EXPECT_EQ(first.status, "Waiting") << name;
    EXPECT_EQ(first.settle, Settle::kRetryInfra) << name;
    EXPECT_EQ(first.delay, std::chrono::seconds(30)) << name;
    EXPECT_EQ(first.reason, name + ": retry 1 of 2 in 30 s: dput exited with 1");
    JobEnding second = EndingFor(r, false, 1, kPolicy);
    EXPECT_EQ(second.delay, std::chrono::seconds(60)) << name;
    EXPECT_EQ(second.reason, name + ": retry 2 of 2 in 60 s: dput exited with 1");
    JobEnding last = EndingFor(r, false, 2, kPolicy);
    EXPECT_EQ(last.status, "Failed") << name;
    EXPECT_EQ(last.settle, Settle::kAck) << name;
    EXPECT_EQ(last.reason, name + ": failed after 2 retries: dput exited with 1");
  }
  // infra_retries 0: never retried.
  StepResult r = Failed(Outcome::kInfrastructureFailed, FailureClass::kNetwork, "git exited");
  EXPECT_EQ(EndingFor(r, false, 0, {0, std::chrono::seconds(1), std::chrono::seconds(1)}).status,
            "Failed");
}

TEST(EndingFor, ALongReasonIsCutToTheControllersLimitOnACharacterBoundary) {
  std::string detail;
  for (int i = 0; i < 1000; ++i) detail += "\xC3\xA9";  // "é"
  // "build: " is 7 bytes, so byte 1024 is the second half of an "é".
  JobEnding e = EndingFor({Outcome::kBuildFailed, detail}, false, 0, kPolicy);
  EXPECT_EQ(e.reason.size(), status::kMaxReasonBytes - 1);
  EXPECT_EQ(e.reason.substr(e.reason.size() - 2), "\xC3\xA9");
}

}  // namespace ending

}  // namespace
}  // namespace cbit::client
