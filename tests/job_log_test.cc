// Build logs on both stores, through the HTTP API: POST /job/<id>/log appends
// at byte offsets (idempotent for retried chunks), GET reads from an offset
// with the headers a follower needs; attempts follow Building periods.
#include <gtest/gtest.h>

#include "queue/fake_publisher.h"
#include "queue/publisher.h"
#include "tests/support/controller_harness.h"
#include "tests/support/databases.h"
#include "util/clock.h"

namespace cbit::testing {
namespace {

class JobLog : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { Start({}); }

  // A controller with these log limits, on a fresh database.
  void Start(store::LogLimits limits) {
    harness_.reset();
    harness_ = std::make_unique<ControllerHarness>(OpenTestDatabase(GetParam()), publisher_,
                                                   "localhost:18080", web::WebhookConfig{},
                                                   std::string(), false, [&limits](web::Config& c) {
                                                     c.log_limit_bytes = limits.bytes_per_attempt;
                                                     c.log_keep_attempts = limits.keep_attempts;
                                                     c.log_keep_days = limits.keep_days;
                                                   });
    for (auto [path, body] : std::initializer_list<std::pair<const char*, const char*>>{
             {"/arch", "name=amd64"},
             {"/dist", "name=Debian"},
             {"/format", "name=deb"},
             {"/suite", "name=bookworm"},
             {"/suitearch", "suite=bookworm&arch=amd64&master_weight=1"}}) {
      auto r = harness_->admin().Put(path, body, "application/x-www-form-urlencoded");
      ASSERT_TRUE(r && r->status == 200) << path;
    }
    auto r = harness_->admin().Post("/job/vcshook",
                                    FormBody({{"package", "hello"},
                                              {"package_version", "1.0"},
                                              {"suite", "bookworm"},
                                              {"distribution", "Debian"},
                                              {"architecture_list", "any"},
                                              {"format", "deb"},
                                              {"method", "git"},
                                              {"uri", "https://example.org/hello.git"}}),
                                    "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    job_ = "/job/" + std::to_string(harness_->store().ListJobs({}, {}).front().id);
  }

  void Report(const std::string& status) {
    auto r = harness_->admin().Put(job_, FormBody({{"status", status}, {"client", "bc1"}}),
                                   "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << status;
  }
  httplib::Result Append(const std::string& query, const std::string& text) {
    return harness_->admin().Post(job_ + "/log?" + query, text, "text/plain");
  }

  queue::FakePublisher publisher_;
  std::unique_ptr<ControllerHarness> harness_;
  std::string job_;
};

TEST_P(JobLog, AppendsAtOffsetsAndReadsFromAnOffset) {
  Report("Building");
  auto a = Append("offset=0", "$ dpkg-buildpackage -us -uc\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200) << a->body;
  EXPECT_EQ(a->body, R"({"length": 28, "attempt": 1})");
  a = Append("offset=28&attempt=1", "dpkg-buildpackage: info: ok \xE2\x9C\x93\n");
  EXPECT_EQ(a->body, R"({"length": 60, "attempt": 1})");

  auto all = harness_->anon().Get(job_ + "/log");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200);
  EXPECT_EQ(all->body, "$ dpkg-buildpackage -us -uc\ndpkg-buildpackage: info: ok \xE2\x9C\x93\n");
  EXPECT_EQ(all->get_header_value("X-Log-Length"), "60");
  EXPECT_EQ(all->get_header_value("X-Log-Attempt"), "1");
  EXPECT_EQ(all->get_header_value("X-Job-Finished"), "false");
  EXPECT_EQ(all->get_header_value("Content-Type"), "text/plain; charset=utf-8");

  auto tail = harness_->anon().Get(job_ + "/log?offset=30");
  EXPECT_EQ(tail->body, "kg-buildpackage: info: ok \xE2\x9C\x93\n");
  auto none = harness_->anon().Get(job_ + "/log?offset=60");
  EXPECT_EQ(none->body, "");
  EXPECT_EQ(none->get_header_value("X-Log-Length"), "60");

  Report("Done");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->get_header_value("X-Job-Finished"), "true");
}

TEST_P(JobLog, ARetriedChunkIsTrimmedAndAGapIsAConflict) {
  Report("Building");
  Append("offset=0", "abc");
  auto retry = Append("offset=1", "bcdef");  // "bc" is there already
  EXPECT_EQ(retry->body, R"({"length": 6, "attempt": 1})");
  auto same = Append("offset=0", "abc");
  EXPECT_EQ(same->body, R"({"length": 6, "attempt": 1})");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, "abcdef");
  auto gap = Append("offset=9", "x");
  EXPECT_EQ(gap->status, 409);
  EXPECT_NE(gap->body.find("length 6"), std::string::npos) << gap->body;
}

TEST_P(JobLog, EachBuildingPeriodIsANewAttempt) {
  Report("Building");
  Append("offset=0", "first try\n");
  Report("Blocked");
  Report("Building");
  auto a = Append("offset=0", "second try\n");
  EXPECT_EQ(a->body, R"({"length": 11, "attempt": 2})");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, "second try\n");
  auto first = harness_->anon().Get(job_ + "/log?attempt=1");
  EXPECT_EQ(first->body, "first try\n");
  EXPECT_EQ(first->get_header_value("X-Log-Attempt"), "1");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log?attempt=3")->status, 404);
}

TEST_P(JobLog, ErrorsAreNamed) {
  auto before = Append("offset=0", "too early");
  EXPECT_EQ(before->status, 409) << before->body;  // never Building
  auto empty = harness_->anon().Get(job_ + "/log");
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(empty->get_header_value("X-Log-Attempt"), "0");
  Report("Building");
  EXPECT_EQ(Append("", "x")->status, 400);
  EXPECT_EQ(Append("offset=-1", "x")->status, 400);
  EXPECT_EQ(Append("offset=0", "bad \xFF byte")->status, 400);
  EXPECT_EQ(harness_->anon().Get(job_ + "/log?offset=abc")->status, 400);
  EXPECT_EQ(harness_->anon().Get("/job/999999/log")->status, 404);
  EXPECT_EQ(harness_->anon().Post(job_ + "/log?offset=0", "x", "text/plain")->status, 401);
}

TEST_P(JobLog, DeletingAJobDeletesItsLog) {
  Report("Building");
  Append("offset=0", "some output\n");
  auto del = harness_->admin().Delete(job_);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->status, 404);
}

TEST_P(JobLog, AFinishedAttemptTakesNoMoreText) {
  Report("Building");
  Append("offset=0", "first try\n");
  Report("Blocked");
  Report("Building");
  auto old = Append("offset=10&attempt=1", "late\n");
  EXPECT_EQ(old->status, 409);
  EXPECT_NE(old->body.find("attempt 1 is finished"), std::string::npos) << old->body;
  Append("offset=0", "second try\n");
  Report("Done");
  // The watcher adds reprepro's verdict to a Done job's log, then reports.
  EXPECT_EQ(Append("offset=11", "published\n")->status, 200);
  Report("Uploaded");
  auto late = Append("offset=21", "too late\n");
  EXPECT_EQ(late->status, 409);
  EXPECT_NE(late->body.find("is Uploaded"), std::string::npos) << late->body;
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, "second try\npublished\n");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log?attempt=1")->body, "first try\n");
}

// A retried chunk whose overlap ends inside a character: the rest of that
// character is not stored (it would make the log invalid UTF-8).
TEST_P(JobLog, AnOverlapEndingInsideACharacterIsTrimmedToTheNextOne) {
  Report("Building");
  Append("offset=0", "a");
  auto a = Append("offset=0", "\xC3\xA9x");  // "éx": byte 1 is inside the "é"
  ASSERT_EQ(a->status, 200) << a->body;
  EXPECT_EQ(a->body, R"({"length": 2, "attempt": 1})");
  auto log = harness_->anon().Get(job_ + "/log");
  EXPECT_EQ(log->body, "ax");
  EXPECT_EQ(log->get_header_value("X-Log-Length"), "2");
}

TEST_P(JobLog, ALogIsCutAtItsLimitWithALineSayingWhereAndLaterTextIsDropped) {
  Start({.bytes_per_attempt = 4096});
  Report("Building");
  const std::string start(3999, 'a');
  ASSERT_EQ(Append("offset=0", start)->body, R"({"length": 3999, "attempt": 1})");
  // 97 bytes of room: the cut falls inside the 49th "é" and is moved before it.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  auto cut = Append("offset=3999", accents);
  ASSERT_EQ(cut->status, 200) << cut->body;
  auto log = harness_->anon().Get(job_ + "/log");
  const std::string marker =
      "\n[cbit-web: log cut here at byte 4095: a build attempt's log is limited to 4096 bytes "
      "(controller.log_limit_bytes); later output was dropped]\n";
  EXPECT_EQ(log->body, start + accents.substr(0, 96) + marker);
  const std::string length = std::to_string(4095 + marker.size());
  EXPECT_EQ(cut->body, R"({"length": )" + length + R"(, "attempt": 1})");
  // Later text is taken and dropped, and a retry of the cut chunk changes nothing.
  EXPECT_EQ(Append("offset=" + length, "more\n")->body, cut->body);
  EXPECT_EQ(Append("offset=3999", accents)->body, cut->body);
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, log->body);
  // The next attempt has a limit of its own.
  Report("Blocked");
  Report("Building");
  EXPECT_EQ(Append("offset=0", "again\n")->body, R"({"length": 6, "attempt": 2})");
}

TEST_P(JobLog, OnlyTheLastAttemptsLogsAreKept) {
  Start({.keep_attempts = 1});
  Report("Building");
  Append("offset=0", "first try\n");
  Report("Blocked");
  Report("Building");
  Append("offset=0", "second try\n");
  auto first = harness_->anon().Get(job_ + "/log?attempt=1");
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "");
  EXPECT_EQ(first->get_header_value("X-Log-Length"), "0");
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, "second try\n");
}

TEST_P(JobLog, LogsOfAttemptsBegunBeforeTheCutoffAreExpiredUnlessBuilding) {
  Report("Building");
  Append("offset=0", "old output\n");
  const std::int64_t later = NowMicros() + 1000000;
  EXPECT_EQ(harness_->store().ExpireLogs(later), 0);  // still Building
  Report("Done");
  EXPECT_EQ(harness_->store().ExpireLogs(later - 3600000000), 0);  // begun after the cutoff
  EXPECT_EQ(harness_->store().ExpireLogs(later), 1);
  EXPECT_EQ(harness_->anon().Get(job_ + "/log")->body, "");
}

INSTANTIATE_TEST_SUITE_P(Stores, JobLog, ::testing::Values("sqlite", "postgres"));

}  // namespace
}  // namespace cbit::testing
