// scripts/pg-cluster.sh's watcher, which the fault-injection runs lean on:
// a cluster killed and started again many times keeps one watcher, and the
// cluster still stops once the process that owns it is gone.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/postgres.h"
#include "tests/support/processes.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
const std::string kScript = CBIT_SOURCE_DIR "/scripts/pg-cluster.sh";

// The watchers of the cluster in `dir`: "sh .../pg-cluster.sh watch DIR OWNER".
int Watchers(const std::string& dir) {
  return static_cast<int>(ProcessesWith("pg-cluster.sh watch " + dir + " ").size());
}

TEST(PgCluster, KillsAndRestartsLeaveOneWatcher) {
  const std::string dir = ScratchDir("pg-watchers");
  PostgresCluster cluster(dir);
  cluster.Start();
  // Started in the background: it may still be on its way to exec.
  EXPECT_TRUE(WaitFor([&] { return Watchers(dir) == 1; }, std::chrono::seconds(10)));
  for (int i = 0; i < 3; ++i) {
    cluster.Kill();  // leaves postmaster.pid behind
    cluster.Start();
  }
  // A watcher whose server is gone notices within its one-second poll.
  EXPECT_TRUE(WaitFor([&] { return Watchers(dir) == 1; }, std::chrono::seconds(10)))
      << Watchers(dir) << " watchers after three kills and restarts";
  cluster.Stop();
  EXPECT_TRUE(WaitFor([&] { return Watchers(dir) == 0; }, std::chrono::seconds(10)))
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
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(pid_file); }, std::chrono::seconds(30)))
      << "the cluster still runs after its owner is gone";
  EXPECT_TRUE(WaitFor([&] { return Watchers(dir) == 0; }, std::chrono::seconds(10)));
}

}  // namespace
}  // namespace cbit::testing
