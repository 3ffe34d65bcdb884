#include "util/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "testing/test_dir.h"
#include "util/test_fds.h"

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

// A shell that says "ready", then waits; its SIGINT trap exits 7. Cancelled
// once it said ready; `seen` gets its output.
CommandResult CancelTrappingShell(std::string& seen) {
  std::atomic<bool> cancel{false};
  return RunCommand({.argv = {"sh", "-c",
                              "trap 'echo got-int; exit 7' INT; echo ready; "
                              "while :; do sleep 0.05; done"}},
                    [&](std::string_view c) {
                      seen.append(c);
                      if (seen.find("ready") != std::string::npos) cancel = true;
                    },
                    {.requested = [&] { return cancel.load(); }, .grace = std::chrono::seconds(5)});
}

TEST(Subprocess, CancelSendsSigintToTheGroup) {
  std::string seen;
  auto r = CancelTrappingShell(seen);
  EXPECT_TRUE(r.cancelled);
  EXPECT_NE(seen.find("got-int"), std::string::npos);
  EXPECT_EQ(r.exit_code, 7);
}

// Started from a shell's background job, this program has SIGINT ignored;
// its commands must not inherit that, or a cancel could not stop them.
TEST(Subprocess, CancelReachesACommandAlsoWhenThisProgramIgnoresSigint) {
  struct sigaction ignore {
  }, before{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &before), 0);
  std::string seen;
  auto r = CancelTrappingShell(seen);
  ::sigaction(SIGINT, &before, nullptr);
  EXPECT_NE(seen.find("got-int"), std::string::npos);
  EXPECT_EQ(r.exit_code, 7);
}

// A process that starts a server with die_with_parent, then dies without
// stopping it (as a killed benchmark would): the server goes too.
TEST(Subprocess, DieWithParentStopsTheChildWhenItsStarterDies) {
  testing::TestDir dir;
  const std::string pid_file = (dir.path() / "pid").string();
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
}

// A command that closes its output but goes on running is still under its
// deadline.
TEST(Subprocess, DeadlineHoldsAfterTheOutputIsClosed) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunCommand({.argv = {"sh", "-c", "exec >/dev/null 2>&1; sleep 5"},
                       .timeout = std::chrono::milliseconds(200)});
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(Subprocess, CancelHoldsAfterTheOutputIsClosed) {
  auto t0 = std::chrono::steady_clock::now();
  // Asked once the output is surely closed.
  auto later = [&] {
    return std::chrono::steady_clock::now() - t0 > std::chrono::milliseconds(300);
  };
  auto r = RunCommand({.argv = {"sh", "-c", "exec >/dev/null 2>&1; sleep 5"}}, {},
                      {.requested = later, .grace = std::chrono::seconds(5)});
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.exit_code, 128 + SIGINT);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

TEST(Subprocess, KilledBySignalExits128PlusSignal) {
  auto r = RunCommand({.argv = {"sh", "-c", "kill -KILL $$"}});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_FALSE(r.ok());
}

// More input than a pipe holds: written as the child reads it.
TEST(Subprocess, LargeStdinReachesTheChildWhole) {
  std::string data(1 << 20, 'x');
  for (std::size_t i = 0; i < data.size(); i += 997) data[i] = '\n';
  auto r = RunCommand({.argv = {"cat"}, .stdin_data = data});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, data);
}

// A process the command left running keeps the output open: RunCommand
// returns shortly after the command itself exits.
TEST(Subprocess, ReturnsWhenTheCommandExitsThoughItsOutputStaysOpen) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = RunCommand({.argv = {"sh", "-c", "sleep 10 & echo $!"}});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(r.exit_code, 0);
  pid_t left = std::atoi(r.output.c_str());
  ASSERT_GT(left, 0) << r.output;
  ::kill(left, SIGKILL);
}

// Gone, or a zombie that its new parent has not reaped yet.
bool Dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

// The caller's sink throws while the command runs: the exception reaches
// the caller, and the command, whatever it started, and the pipes are gone.
TEST(Subprocess, ASinkThatThrowsLeavesNoProcessNoZombieAndNoFd) {
  const int fds_before = OpenFdCount();
  std::string seen;
  EXPECT_THROW(RunCommand({.argv = {"sh", "-c", "sleep 30 & echo $$ $!; wait"},
                           .stdin_data = "unread input"},
                          [&](std::string_view c) {
                            seen.append(c);
                            if (seen.find('\n') != std::string::npos)
                              throw std::runtime_error("sink failed");
                          }),
               std::runtime_error);
  EXPECT_EQ(OpenFdCount(), fds_before);
  pid_t shell = 0, sleeper = 0;
  std::istringstream(seen) >> shell >> sleeper;
  ASSERT_GT(shell, 0) << seen;
  ASSERT_GT(sleeper, 0) << seen;
  // Reaped: not even a zombie answers.
  EXPECT_NE(::kill(shell, 0), 0) << "the command was not reaped";
  bool gone = false;
  for (int i = 0; i < 200 && !(gone = Dead(sleeper)); ++i) ::usleep(10000);
  if (!gone) ::kill(sleeper, SIGKILL);
  EXPECT_TRUE(gone) << "a process of the command's group outlived it";
}

TEST(Subprocess, DescribeQuotesWhatNeedsIt) {
  EXPECT_EQ(DescribeArgv({"git", "clone", "a b", "it's"}), "git clone 'a b' 'it'\\''s'");
}

}  // namespace
}  // namespace cbit
