// A client with `jobs: 2` against the real controller and RabbitMQ node:
// two builds in the build step at once, each in its own work directory,
// each ending on its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/client_e2e.h"
#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {
using std::chrono::seconds;

constexpr seconds kBuildDeadline{300};

class ClientParallel : public ClientE2e {};

TEST_F(ClientParallel, WithTwoJobsTwoBuildsRunAtOnceAndEachEndsDoneOnItsOwn) {
  // Each build sleeps until its hold file is gone; the file's path, unique
  // to this test, finds its build's processes.
  std::string hold_a = scratch() + "/hold-a", hold_b = scratch() + "/hold-b";
  std::ofstream(hold_a) << "hold\n";
  std::ofstream(hold_b) << "hold\n";
  PackageSpec a{.name = "hello-par-a", .suite = suite(), .hold_file = hold_a};
  PackageSpec b{.name = "hello-par-b", .suite = suite(), .hold_file = hold_b};
  auto repo_a = MakeGitRepo(a, scratch());
  auto repo_b = MakeGitRepo(b, scratch());
  ClientSetup setup = Client("build_client_par_a");
  setup.extra_config = R"({"jobs": 2})";
  ClientProcess client(setup);
  Id job_a = Submit(a, "git", repo_a.path, repo_a.commit);
  Id job_b = Submit(b, "git", repo_b.path, repo_b.commit);

  ASSERT_TRUE(WaitFor([&] { return ProcessRuns(hold_a) && ProcessRuns(hold_b); }, kBuildDeadline))
      << client.Log() << LogOf(job_a) << LogOf(job_b);
  EXPECT_EQ(harness().store().GetJob(job_a).status, "Building");
  EXPECT_EQ(harness().store().GetJob(job_b).status, "Building");

  // The second one ends first: the slots are independent.
  std::filesystem::remove(hold_b);
  ASSERT_TRUE(WaitForStatus(job_b, "Done", kBuildDeadline)) << client.Log() << LogOf(job_b);
  EXPECT_EQ(harness().store().GetJob(job_a).status, "Building");
  EXPECT_TRUE(ProcessRuns(hold_a));
  std::filesystem::remove(hold_a);
  ASSERT_TRUE(WaitForStatus(job_a, "Done", kBuildDeadline)) << client.Log() << LogOf(job_a);

  for (Id job : {job_a, job_b}) {
    EXPECT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Done"}));
    EXPECT_NE(LogOf(job).find("== built"), std::string::npos) << LogOf(job);
  }
  std::string arch = HostArch();
  EXPECT_TRUE(std::filesystem::exists(incoming() + "/hello-par-a_1.0_" + arch + ".changes"));
  EXPECT_TRUE(std::filesystem::exists(incoming() + "/hello-par-b_1.0_" + arch + ".changes"));
  EXPECT_NE(client.Log().find("2 of 2 slots busy"), std::string::npos) << client.Log();
  EXPECT_EQ(client.Stop(), 0) << client.Log();
}

// SIGTERM with two builds running hands both back to the queue.
TEST_F(ClientParallel, AStopWithTwoBuildsRunningHandsBothBack) {
  std::string hold = scratch() + "/hold";
  std::ofstream(hold) << "hold\n";
  PackageSpec a{.name = "hello-stop-a", .suite = suite(), .hold_file = hold};
  PackageSpec b{.name = "hello-stop-b", .suite = suite(), .hold_file = hold};
  auto repo_a = MakeGitRepo(a, scratch());
  auto repo_b = MakeGitRepo(b, scratch());
  ClientSetup setup = Client("build_client_par_b");
  setup.extra_config = R"({"jobs": 2})";
  ClientProcess client(setup);
  Id job_a = Submit(a, "git", repo_a.path, repo_a.commit);
  Id job_b = Submit(b, "git", repo_b.path, repo_b.commit);
  ASSERT_TRUE(WaitFor(
      [&] {
        return harness().store().GetJob(job_a).status == "Building" &&
               harness().store().GetJob(job_b).status == "Building";
      },
      kBuildDeadline))
      << client.Log();
  ASSERT_TRUE(WaitFor([&] { return ProcessRuns(hold); }, kBuildDeadline)) << client.Log();
  EXPECT_EQ(client.Stop(), 0) << client.Log();
  for (Id job : {job_a, job_b}) {
    EXPECT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Waiting"}))
        << client.Log();
  }
  EXPECT_TRUE(WaitFor([&] { return !ProcessRuns(hold); }, seconds(30)));
}

}  // namespace
}  // namespace cbit::testing
