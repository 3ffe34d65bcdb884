#include "util/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>

namespace cbit {
namespace {

TEST(Subprocess, CapturesStdoutAndStderr) {
  auto r = RunCommand({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("out\n"), std::string::npos);
  EXPECT_NE(r.output.find("err\n"), std::string::npos);
}

TEST(Subprocess, ArgumentsAreNeverInterpretedByAShell) {
  auto r = RunCommand({.argv = {"echo", "$(id)", ";", "ls", "*"}});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "$(id) ; ls *\n");
}

TEST(Subprocess, MissingProgramExits127) {
  auto r = RunCommand({.argv = {"/nonexistent/cbit-program"}});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.output.find("cannot execute"), std::string::npos);
}

TEST(Subprocess, EnvironmentCwdAndStdin) {
  auto r = RunCommand({.argv = {"sh", "-c", "echo $CBIT_X; pwd; cat"},
                       .env = {"CBIT_X=hello"},
                       .cwd = "/tmp",
                       .stdin_data = "from stdin"});
  EXPECT_EQ(r.output, "hello\n/tmp\nfrom stdin");
}

TEST(Subprocess, TimeoutKillsTheWholeGroup) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunCommand({.argv = {"sh", "-c", "sleep 30 & sleep 30; wait"},
                       .timeout = std::chrono::milliseconds(200)});
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST(Subprocess, CancelSendsSigintToTheGroup) {
  std::atomic<bool> cancel{false};
  std::string seen;
  auto r =
      RunCommand({.argv = {"sh", "-c",
                           "trap 'echo got-int; exit 7' INT; echo ready; "
                           "while :; do sleep 0.05; done"}},
                 [&](std::string_view c) {
                   seen.append(c);
                   if (seen.find("ready") != std::string::npos) cancel = true;
                 },
                 {.requested = [&] { return cancel.load(); }, .grace = std::chrono::seconds(5)});
  EXPECT_TRUE(r.cancelled);
  EXPECT_NE(seen.find("got-int"), std::string::npos);
  EXPECT_EQ(r.exit_code, 7);
}

TEST(Subprocess, DescribeQuotesWhatNeedsIt) {
  EXPECT_EQ(DescribeArgv({"git", "clone", "a b", "it's"}), "git clone 'a b' 'it'\\''s'");
}

}  // namespace
}  // namespace cbit
