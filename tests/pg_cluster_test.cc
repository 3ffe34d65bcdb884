// scripts/pg-cluster.sh's watcher, which the fault-injection runs lean on:
// a cluster killed and started again many times keeps one watcher, and the
// cluster still stops once the process that owns it is gone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/postgres.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
const std::string kScript = CBIT_SOURCE_DIR "/scripts/pg-cluster.sh";

// The watchers of the cluster in `dir`: processes run as
// "sh .../pg-cluster.sh watch DIR OWNER".
int Watchers(const std::string& dir) {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(std::string("pg-cluster.sh") + '\0' + "watch" + '\0' + dir + '\0') !=
        std::string::npos)
      ++n;
  }
  return n;
}

// Polls `done` every 100 ms until it holds or `limit` has passed.
template <typename F>
bool Eventually(F done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

TEST(PgCluster, KillsAndRestartsLeaveOneWatcher) {
  const std::string dir = ScratchDir("pg-watchers");
  PostgresCluster cluster(dir);
  cluster.Start();
  // Started in the background: it may still be on its way to exec.
  EXPECT_TRUE(Eventually([&] { return Watchers(dir) == 1; }, std::chrono::seconds(10)));
  for (int i = 0; i < 3; ++i) {
    cluster.Kill();  // leaves postmaster.pid behind
    cluster.Start();
  }
  // A watcher whose server is gone notices within its one-second poll.
  EXPECT_TRUE(Eventually([&] { return Watchers(dir) == 1; }, std::chrono::seconds(10)))
      << Watchers(dir) << " watchers after three kills and restarts";
  cluster.Stop();
  EXPECT_TRUE(Eventually([&] { return Watchers(dir) == 0; }, std::chrono::seconds(10)))
      << "a watcher outlived its stopped server";
}

TEST(PgCluster, StopsOnceItsOwnerIsGone) {
  const std::string dir = ScratchDir("pg-owner");
  ChildProcess owner({"/bin/sleep", "600"}, dir + "/owner.log");
  CommandResult started = RunCommand(
      {.argv = {kScript, "start", dir, std::to_string(FreePort()), std::to_string(owner.pid())},
       .timeout = std::chrono::seconds(120)});
  ASSERT_TRUE(started.ok()) << started.output;
  // Stopped even if this test fails before the owner goes.
  AtTestExit([dir] { RunCommand({.argv = {kScript, "stop", dir}}); });
  const std::string pid_file = dir + "/data/postmaster.pid";
  ASSERT_TRUE(fs::exists(pid_file));
  owner.Kill();
  EXPECT_TRUE(Eventually([&] { return !fs::exists(pid_file); }, std::chrono::seconds(30)))
      << "the cluster still runs after its owner is gone";
  EXPECT_TRUE(Eventually([&] { return Watchers(dir) == 0; }, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace cbit::testing
