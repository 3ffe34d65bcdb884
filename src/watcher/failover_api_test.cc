#include "watcher/failover_api.h"

#include <gtest/gtest.h>

#include "watcher/fake_watcher.h"
#include "watcher/reporter.h"

namespace cbit::watcher {
namespace {

// Controllers "a", "b", "c"… as fakes the test keeps pointers to.
struct Farm {
  explicit Farm(int n) {
    std::vector<FailoverControllerApi::Member> members;
    for (int i = 0; i < n; ++i) {
      auto fake = std::make_unique<FakeControllerApi>();
      fakes.push_back(fake.get());
      members.push_back({std::string(1, static_cast<char>('a' + i)), std::move(fake)});
    }
    api = std::make_unique<FailoverControllerApi>(std::move(members));
  }
  std::vector<FakeControllerApi*> fakes;
  std::unique_ptr<FailoverControllerApi> api;
};

TEST(FailoverControllerApi, TheFirstControllerTakesEveryCallWhileItAnswers) {
  Farm f(2);
  f.api->ReportStatus(7, "Uploaded");
  f.api->AppendLog(7, 1, 0, "x");
  EXPECT_EQ(f.fakes[0]->calls, (std::vector<std::string>{"Status 7 Uploaded", "Append 7 1 0"}));
  EXPECT_EQ(f.fakes[1]->tried, 0);
}

TEST(FailoverControllerApi, AnUnreachableControllerPassesTheCallToTheNextOneWhichKeepsIt) {
  Farm f(2);
  f.fakes[0]->fail_with = 0;
  f.api->ReportStatus(7, "Uploaded");
  EXPECT_EQ(f.fakes[1]->calls, std::vector<std::string>{"Status 7 Uploaded"});
  EXPECT_EQ(f.api->current(), 1u);
  // The next call goes straight to the one that answered.
  f.api->LogEndOf(7);
  EXPECT_EQ(f.fakes[0]->tried, 1);
  EXPECT_EQ(f.fakes[1]->calls, (std::vector<std::string>{"Status 7 Uploaded", "LogEnd 7"}));
}

TEST(FailoverControllerApi, A5xxPassesTheCallOn) {
  Farm f(2);
  f.fakes[0]->fail_with = 503;
  EXPECT_TRUE(f.api->FindJobs("hello", "1.0", "amd64", "Done").empty());
  EXPECT_EQ(f.fakes[1]->calls, std::vector<std::string>{"Find hello 1.0 amd64 Done"});
}

// A refusal is the controllers' verdict (they share one database): asking
// another one would only repeat it.
TEST(FailoverControllerApi, ARefusalIsFinalAndNotAskedOfTheNextController) {
  Farm f(2);
  f.fakes[0]->fail_with = 409;
  try {
    f.api->ReportStatus(7, "Uploaded");
    ADD_FAILURE() << "the refusal was not passed on";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 409);
  }
  EXPECT_EQ(f.fakes[1]->tried, 0);
  EXPECT_EQ(f.api->current(), 0u);
}

TEST(FailoverControllerApi, TheOrderWrapsAroundFromTheControllerThatAnsweredLast) {
  Farm f(3);
  f.fakes[0]->fail_with = 0;
  f.api->ReportStatus(1, "Uploaded");  // a → b
  ASSERT_EQ(f.api->current(), 1u);
  f.fakes[0]->fail_with.reset();
  f.fakes[1]->fail_with = 0;
  f.fakes[2]->fail_with = 502;
  f.api->ReportStatus(2, "Uploaded");  // b → c → a
  EXPECT_EQ(f.api->current(), 0u);
  EXPECT_EQ(f.fakes[0]->calls, std::vector<std::string>{"Status 2 Uploaded"});
  EXPECT_EQ(f.fakes[1]->tried, 2);
  EXPECT_EQ(f.fakes[2]->tried, 1);
}

TEST(FailoverControllerApi, NoControllerAnsweringIsRetryableAndEachIsAskedOnce) {
  Farm f(3);
  for (auto* fake : f.fakes) fake->fail_with = 0;
  try {
    f.api->ReportStatus(7, "Uploaded");
    ADD_FAILURE() << "no controller answered, yet the call passed";
  } catch (const ApiError& e) {
    EXPECT_TRUE(e.retryable());
  }
  for (auto* fake : f.fakes) EXPECT_EQ(fake->tried, 1);
}

// The reporter through the failover: a report whose first controller is
// down reaches the second, whole (log and status), without waiting.
TEST(FailoverControllerApi, AReportReachesTheSecondControllerWhileTheFirstIsDown) {
  Farm f(2);
  f.fakes[0]->fail_with = 0;
  f.fakes[1]->jobs[FakeControllerApi::Key("hello", "1.0", "amd64", "Done")] = {7};
  Reporter r(*f.api, {});
  const Reporter::Clock::time_point t0{};
  r.Add({"hello_1.0_amd64.changes", "hello", "1.0", "amd64", true, "published\n"}, t0);
  r.Flush(t0);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(f.fakes[1]->calls.back(), "Status 7 Uploaded");
  EXPECT_EQ(f.fakes[1]->appended[7], "published\n");
}

}  // namespace
}  // namespace cbit::watcher
