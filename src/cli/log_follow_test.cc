#include "cli/log_follow.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/exit_code.h"

namespace cbit::cli {
namespace {

// A build log growing by one chunk per poll, with moments when the
// controller cannot be reached, as GET /job/<id>/log answers it.
struct FakeLog {
  std::vector<std::string> attempts;  // the text of attempt 1, 2, …
  bool finished = false;
  int calls = 0;
  std::vector<int> unreachable_at;  // the calls that fail
  std::function<void(FakeLog&)> on_call;

  LogChunk operator()(long long offset, int attempt) {
    ++calls;
    if (on_call) on_call(*this);
    for (int c : unreachable_at)
      if (c == calls) throw CliError(ExitCode::kUnreachable, "connection refused");
    int a = attempt == 0 ? static_cast<int>(attempts.size()) : attempt;
    const std::string& text = a == 0 ? std::string() : attempts.at(a - 1);
    std::string rest = offset < static_cast<long long>(text.size()) ? text.substr(offset) : "";
    return {rest, static_cast<long long>(text.size()), a, finished};
  }
};

TEST(FollowLog, ShowsEachByteOnceThroughDroppedConnections) {
  FakeLog log{{""}};
  std::vector<std::string> chunks = {"one\n", "two\n", "", "three\n"};
  std::size_t next = 0;
  log.unreachable_at = {3, 4, 6};
  log.on_call = [&](FakeLog& l) {
    if (next < chunks.size()) l.attempts[0] += chunks[next++];
    if (next == chunks.size()) l.finished = true;
  };
  std::ostringstream out, err;
  auto source = [&](long long o, int a) { return log(o, a); };
  FollowEnd end = FollowLog(source, {}, out, err, [](auto) {});
  EXPECT_TRUE(end.job_finished);
  EXPECT_EQ(end.attempt, 1);
  EXPECT_EQ(out.str(), log.attempts[0]);
  EXPECT_EQ(out.str(), "one\ntwo\nthree\n");
  EXPECT_NE(err.str().find("retrying"), std::string::npos);
  EXPECT_NE(err.str().find("reconnected"), std::string::npos);
}

TEST(FollowLog, EndsWithTheRestOfItsAttemptWhenANewOneBegins) {
  FakeLog log{{"first\n"}};
  log.on_call = [](FakeLog& l) {
    if (l.calls == 2) {
      l.attempts[0] += "last words\n";
      l.attempts.push_back("second attempt\n");
    }
  };
  std::ostringstream out, err;
  auto source = [&](long long o, int a) { return log(o, a); };
  FollowEnd end = FollowLog(source, {}, out, err, [](auto) {});
  EXPECT_FALSE(end.job_finished);
  EXPECT_EQ(end.attempt, 1);
  EXPECT_EQ(out.str(), "first\nlast words\n");
}

TEST(FollowLog, WaitsForTheFirstAttemptOfAJobNotBuiltYet) {
  FakeLog log;
  log.on_call = [](FakeLog& l) {
    if (l.calls == 3) l.attempts = {"built\n"};
    if (l.calls == 4) l.finished = true;
  };
  std::ostringstream out, err;
  auto source = [&](long long o, int a) { return log(o, a); };
  EXPECT_TRUE(FollowLog(source, {}, out, err, [](auto) {}).job_finished);
  EXPECT_EQ(out.str(), "built\n");
}

TEST(FollowLog, GivesUpAfterItsDeadline) {
  FakeLog log{{"x"}};
  log.on_call = [](FakeLog& l) { l.unreachable_at.push_back(l.calls); };
  std::ostringstream out, err;
  auto source = [&](long long o, int a) { return log(o, a); };
  FollowOptions o{.give_up = std::chrono::seconds(5)};
  EXPECT_THROW(FollowLog(source, o, out, err, [](auto) {}), CliError);
  EXPECT_LE(log.calls, 12);
}

}  // namespace
}  // namespace cbit::cli
