#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "journal/fields.h"
#include "journal/install.h"
#include "journal/sink.h"

namespace cbit::journal {
namespace {

using Fields = std::vector<std::string>;

bool Has(const Fields& f, const std::string& field) {
  return std::find(f.begin(), f.end(), field) != f.end();
}
bool HasName(const Fields& f, const std::string& name) {
  return std::any_of(f.begin(), f.end(), [&](const std::string& s) { return s.starts_with(name); });
}

TEST(Journal, PriorityOfEachLevel) {
  EXPECT_EQ(Priority(spdlog::level::critical), 2);
  EXPECT_EQ(Priority(spdlog::level::err), 3);
  EXPECT_EQ(Priority(spdlog::level::warn), 4);
  EXPECT_EQ(Priority(spdlog::level::info), 6);
  EXPECT_EQ(Priority(spdlog::level::debug), 7);
  EXPECT_EQ(Priority(spdlog::level::trace), 7);
}

TEST(Journal, FieldsOnlyWhereKnown) {
  Fields bare = BuildFields("cbit-web", spdlog::level::warn, "two\nlines", {});
  EXPECT_EQ(bare, (Fields{"MESSAGE=two\nlines", "PRIORITY=4", "SYSLOG_IDENTIFIER=cbit-web"}));
  Fields all = BuildFields("cbit-client", spdlog::level::err, "m", {42, "build1", "/job/(\\d+)"});
  EXPECT_TRUE(Has(all, "JOB_ID=42"));
  EXPECT_TRUE(Has(all, "CLIENT=build1"));
  EXPECT_TRUE(Has(all, "ROUTE=/job/(\\d+)"));
  EXPECT_TRUE(Has(all, "PRIORITY=3"));
}

TEST(Journal, ScopesNestRestoreAndStayOnTheirThread) {
  SetProcessClient("proc");
  EXPECT_EQ(CurrentFields().client, "proc");
  EXPECT_FALSE(CurrentFields().job_id);
  {
    ScopedFields outer;
    outer.Job(7).Route("/job/(\\d+)");
    {
      ScopedFields inner;
      inner.Job(8).Client("other");
      EXPECT_EQ(CurrentFields().job_id, 8);
      EXPECT_EQ(CurrentFields().client, "other");
      EXPECT_EQ(CurrentFields().route, "/job/(\\d+)");
    }
    EXPECT_EQ(CurrentFields().job_id, 7);
    EXPECT_EQ(CurrentFields().client, "proc");
    LogFields seen;
    std::thread([&] { seen = CurrentFields(); }).join();
    EXPECT_FALSE(seen.job_id);
    EXPECT_EQ(seen.client, "proc");
  }
  EXPECT_FALSE(CurrentFields().job_id);
  EXPECT_TRUE(CurrentFields().route.empty());
  SetProcessClient("");
}

TEST(Journal, SinkSendsTheThreadsFieldsThroughItsWriter) {
  std::vector<Fields> sent;
  auto sink = std::make_shared<JournalSink>("cbit-test", [&](const Fields& f) {
    sent.push_back(f);
    return 0;
  });
  spdlog::logger log("t", sink);
  log.set_level(spdlog::level::trace);
  log.info("no job {}", 1);
  {
    ScopedFields f;
    f.Job(5).Client("build1");
    log.warn("job {}: slow", 5);
  }
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(Has(sent[0], "MESSAGE=no job 1"));
  EXPECT_FALSE(HasName(sent[0], "JOB_ID="));
  EXPECT_TRUE(Has(sent[1], "MESSAGE=job 5: slow"));
  EXPECT_TRUE(Has(sent[1], "PRIORITY=4"));
  EXPECT_TRUE(Has(sent[1], "JOB_ID=5"));
  EXPECT_TRUE(Has(sent[1], "CLIENT=build1"));
  EXPECT_TRUE(Has(sent[1], "SYSLOG_IDENTIFIER=cbit-test"));
}

TEST(Journal, JournalStreamMustNameTheFd) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  struct stat st {};
  ASSERT_EQ(fstat(fds[1], &st), 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  const std::string other = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  EXPECT_TRUE(IsJournalStream(mine.c_str(), fds[1]));
  EXPECT_FALSE(IsJournalStream(other.c_str(), fds[1]));
  EXPECT_FALSE(IsJournalStream(nullptr, fds[1]));
  EXPECT_FALSE(IsJournalStream("", fds[1]));
  EXPECT_FALSE(IsJournalStream((mine + "x").c_str(), fds[1]));
  EXPECT_FALSE(IsJournalStream("12", fds[1]));
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
}  // namespace cbit::journal
