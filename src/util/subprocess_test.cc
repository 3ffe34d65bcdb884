#include "util/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

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

// A process that starts a server with die_with_parent, then dies without
// stopping it (as a killed benchmark would): the server goes too.
TEST(Subprocess, DieWithParentStopsTheChildWhenItsStarterDies) {
  char dir[] = "/tmp/cbit-pdeath-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string pid_file = std::string(dir) + "/pid";
  pid_t starter = ::fork();
  ASSERT_GE(starter, 0);
  if (starter == 0) {
    std::thread([&] {
      RunCommand({.argv = {"sh", "-c",
                           "echo $$ > " + pid_file + ".tmp; mv " + pid_file + ".tmp " + pid_file +
                               "; exec sleep 60"},
                  .die_with_parent = true});
    }).detach();
    for (int i = 0; i < 500 && ::access(pid_file.c_str(), F_OK) != 0; ++i) ::usleep(10000);
    ::_exit(0);  // no destructors, no stop: as if killed
  }
  int status = 0;
  ASSERT_EQ(::waitpid(starter, &status, 0), starter);
  std::ifstream in(pid_file);
  pid_t server = 0;
  ASSERT_TRUE(in >> server) << "the server never started";
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = ::kill(server, 0) != 0;
    if (!gone) ::usleep(10000);
  }
  if (!gone) ::kill(server, SIGKILL);
  EXPECT_TRUE(gone) << "the server outlived the process that started it";
  std::filesystem::remove_all(dir);
}

TEST(Subprocess, DescribeQuotesWhatNeedsIt) {
  EXPECT_EQ(DescribeArgv({"git", "clone", "a b", "it's"}), "git clone 'a b' 'it'\\''s'");
}

}  // namespace
}  // namespace cbit
