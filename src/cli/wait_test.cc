#include "cli/wait.h"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include "cli/events.h"

namespace cbit::cli {
namespace {

// Hands out prepared batches of events; an empty batch when they run out
// would make WaitForJobs spin, so running out fails the test.
class ScriptedEvents : public EventStream {
 public:
  explicit ScriptedEvents(std::deque<std::vector<StatusEvent>> batches)
      : batches_(std::move(batches)) {}
  std::vector<StatusEvent> Next() override {
    if (batches_.empty()) throw std::runtime_error("WaitForJobs read past the last event");
    auto b = std::move(batches_.front());
    batches_.pop_front();
    return b;
  }
  std::size_t left() const { return batches_.size(); }

 private:
  std::deque<std::vector<StatusEvent>> batches_;
};

struct WaitForJobsTest : ::testing::Test {
  std::istringstream in;
  std::ostringstream out, err;
  Io io{in, out, err};
  Context ctx{io};
  WaitForJobsTest() {
    io.env = [](const std::string&) { return std::nullopt; };
    io.now = [] { return std::int64_t{100}; };
    ctx.no_colour = true;
  }
};

TEST_F(WaitForJobsTest, EndsWhenEveryJobHasFinishedAndSaysOneFailed) {
  ScriptedEvents events({{{1, "Waiting", ""}, {2, "Building", ""}},
                         {{1, "Building", ""}, {7, "Failed", ""}},
                         {{2, "Uploaded", ""}},
                         {{1, "Failed", ""}}});
  EXPECT_EQ(WaitForJobs(ctx, {1, 2}, events), ExitCode::kFailed);
  EXPECT_EQ(events.left(), 0U);
  EXPECT_EQ(out.str(), "job 2: Uploaded\njob 1: Failed\n");
  EXPECT_EQ(err.str(),
            "job 1: Waiting\njob 2: Building\njob 1: Building\njob 2: Uploaded\njob 1: Failed\n");
}

TEST_F(WaitForJobsTest, ACancelledJobFailsTheWaitAndLaterEventsOfItAreIgnored) {
  ScriptedEvents events({{{3, "Cancelled", ""}, {3, "Waiting", ""}, {4, "Done", ""}}});
  EXPECT_EQ(WaitForJobs(ctx, {3, 4}, events), ExitCode::kFailed);
  EXPECT_EQ(out.str(), "job 3: Cancelled\njob 4: Done\n");
}

TEST_F(WaitForJobsTest, AllDoneIsSuccessAndATerminalGetsOneProgressLine) {
  io.err_terminal = true;
  ScriptedEvents events({{{5, "Building", ""}}, {}, {{5, "Done", ""}}});
  EXPECT_EQ(WaitForJobs(ctx, {5}, events), ExitCode::kOk);
  EXPECT_EQ(out.str(), "job 5: Done\n");
  EXPECT_NE(err.str().find("\r\033[K0s  1 Building"), std::string::npos) << err.str();
  EXPECT_EQ(err.str().find('\n'), std::string::npos) << "a terminal gets no line per change";
}

}  // namespace
}  // namespace cbit::cli
