// End to end on one machine: the controller, a RabbitMQ node and the real
// cbit-client binary building the debpkg fixture's packages on the host,
// uploading to a local incoming directory and streaming its log.
#include "tests/support/client_e2e.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr seconds kBuildDeadline{300};

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

bool Has(const std::vector<std::string>& files, const std::string& name) {
  return std::find(files.begin(), files.end(), name) != files.end();
}

TEST_F(ClientE2e, BuildsArchAllAndArchAnyFromGitUploadsAndReportsWithItsLog) {
  PackageSpec all{.name = "hello-all", .suite = suite(), .kind = PackageKind::kArchAll};
  PackageSpec any{.name = "hello-any", .suite = suite(), .kind = PackageKind::kArchAny};
  auto all_repo = MakeGitRepo(all, scratch());
  auto any_repo = MakeGitRepo(any, scratch());
  ClientProcess client(Client("build_client_e2e_a"));
  Id all_job = Submit(all, "git", all_repo.path, all_repo.commit, "all");
  Id any_job = Submit(any, "git", any_repo.path, any_repo.commit, "any");

  for (Id job : {all_job, any_job}) {
    ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log() << LogOf(job);
    EXPECT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Done"}));
    for (const auto& h : harness().store().JobHistoryOf(job)) {
      EXPECT_EQ(h.buildclient.value_or(""), "build_client_e2e_a");
    }
    std::string log = LogOf(job);
    EXPECT_NE(log.find("$ dpkg-buildpackage -us -uc -F"), std::string::npos) << log;
    EXPECT_NE(log.find("dpkg-buildpackage: info: source package hello-"), std::string::npos);
    EXPECT_NE(log.find("== built"), std::string::npos) << log;
  }
  auto files = Files(incoming());
  std::string arch = HostArch();
  EXPECT_TRUE(Has(files, "hello-all_1.0_" + arch + ".changes"));
  EXPECT_TRUE(Has(files, "hello-all_1.0_all.deb"));
  EXPECT_TRUE(Has(files, "hello-any_1.0_" + arch + ".changes"));
  EXPECT_TRUE(Has(files, "hello-any_1.0_" + arch + ".deb"));
  EXPECT_EQ(client.Stop(), 0) << client.Log();
  // The timings the lead measures are logged per job.
  EXPECT_NE(client.Log().find("ms after delivery"), std::string::npos);
  EXPECT_NE(client.Log().find("client overhead"), std::string::npos);
}

TEST_F(ClientE2e, ACompileErrorIsFailedWithTheCompilerMessageInTheLog) {
  PackageSpec broken{.name = "hello-broken", .suite = suite(), .kind = PackageKind::kArchAnyBroken};
  auto repo = MakeGitRepo(broken, scratch());
  ClientProcess client(Client("build_client_e2e_b"));
  Id job = Submit(broken, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Failed", kBuildDeadline)) << client.Log();
  std::string log = LogOf(job);
  EXPECT_NE(log.find("hello.c:1:"), std::string::npos) << log;
  EXPECT_NE(log.find("error: expected"), std::string::npos) << log;
  EXPECT_NE(log.find("== build-failed"), std::string::npos) << log;
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, ACancelStopsTheRunningBuildAndLeavesNoProcessBehind) {
  // A build that sleeps until let go; its hold file's path, unique to this
  // test, finds its processes (other runs' sleeps are none of ours).
  std::string hold = scratch() + "/hold";
  std::ofstream(hold) << "hold\n";
  PackageSpec sleeps{.name = "hello-sleeps", .suite = suite(), .hold_file = hold};
  auto repo = MakeGitRepo(sleeps, scratch());
  ClientProcess client(Client("build_client_e2e_c"));
  Id job = Submit(sleeps, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitFor([&] { return ProcessRuns(hold); }, kBuildDeadline))
      << client.Log() << LogOf(job);
  ASSERT_EQ(harness().store().GetJob(job).status, "Building");
  auto r = harness().admin().Get("/job/" + std::to_string(job) + "/cancel");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"result": "CancelRequested"})");
  ASSERT_TRUE(WaitForStatus(job, "Cancelled", seconds(60))) << client.Log();
  EXPECT_TRUE(WaitFor([&] { return !ProcessRuns(hold); }, seconds(30)));
  EXPECT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Cancelled"}));
  EXPECT_NE(LogOf(job).find("== cancelled"), std::string::npos) << LogOf(job);
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, ADryRunLogsEveryCommandAndBuildsNothing) {
  PackageSpec spec{.name = "hello-dry", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_e2e_d");
  setup.dry_run = true;
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log();
  std::string log = LogOf(job);
  EXPECT_NE(log.find("[dry-run] $ git -c protocol.ext.allow=never clone"), std::string::npos);
  EXPECT_NE(log.find("[dry-run] $ dpkg-buildpackage -us -uc -F"), std::string::npos) << log;
  EXPECT_NE(log.find("[dry-run] $ dput -f -c"), std::string::npos) << log;
  EXPECT_TRUE(Files(incoming()).empty());
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, SvnExportBuildsEndToEnd) {
  PackageSpec spec{.name = "hello-svn", .suite = suite()};
  auto svn = MakeSvnRepo(MakeGitRepo(spec, scratch()), scratch());
  ClientProcess client(Client("build_client_e2e_e"));
  Id job = Submit(spec, "svn", svn.url, svn.revision);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log() << LogOf(job);
  EXPECT_NE(LogOf(job).find("$ svn export"), std::string::npos);
  EXPECT_TRUE(Has(Files(incoming()), "hello-svn_1.0_" + HostArch() + ".changes"));
  EXPECT_EQ(client.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
