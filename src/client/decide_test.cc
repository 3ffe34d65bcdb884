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

}  // namespace
}  // namespace cbit::client
