// End to end on one machine: the controller, a RabbitMQ node and the real
// cbit-client binary building the debpkg fixture's packages on the host,
// uploading to a local incoming directory and streaming its log.
#include "tests/support/client_e2e.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/scrape.h"

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

// cross_arches: the client consumes the queue of its own arch and arm64's.
// An "any" submission makes two jobs, built by the one client: natively for
// this machine's arch (the master) and cross for arm64, each uploaded.
TEST_F(ClientE2e, ACrossClientBuildsItsOwnArchNativelyAndArm64Cross) {
  const std::string cross = kCrossArch, native = HostArch();
  ASSERT_NE(native, cross) << "the cross-build test needs a machine of another arch";
  std::string missing = CrossToolchainProblem(cross);
  ASSERT_EQ(missing, "") << missing;
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + cross},
           {"/suitearch", "suite=" + suite() + "&arch=" + cross + "&master_weight=0"}}) {
    auto r = harness().admin().Put(path, body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
  PackageSpec any{.name = "hello-cross", .suite = suite(), .kind = PackageKind::kArchAny};
  auto repo = MakeGitRepo(any, scratch());
  ClientSetup setup = Client("build_client_e2e_cross");
  setup.extra_config = R"({"cross_arches": [")" + cross + R"("]})";
  ClientProcess client(setup);
  Submit(any, "git", repo.path, repo.commit, "any");
  auto jobs = harness().store().ListJobs({.suite = suite(), .package = any.name}, {});
  ASSERT_EQ(jobs.size(), 2u);
  std::map<std::string, Id> by_arch;
  for (const auto& j : jobs) by_arch[j.instance.arch.name] = j.id;
  ASSERT_EQ(by_arch.size(), 2u);
  for (const auto& [arch, job] : by_arch) {
    ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << arch << client.Log() << LogOf(job);
  }
  std::string log = LogOf(by_arch.at(cross));
  EXPECT_NE(log.find("cross-building for " + cross + " on " + native), std::string::npos) << log;
  EXPECT_NE(log.find("$ dpkg-buildpackage -us -uc -B -a" + cross + " -Pcross,nocheck"),
            std::string::npos)
      << log;
  EXPECT_EQ(LogOf(by_arch.at(native)).find("-Pcross"), std::string::npos);
  // The attempts' provenance tells the cross build from the native one.
  for (const auto& [arch, builder] : std::initializer_list<std::pair<std::string, std::string>>{
           {native, "host (dpkg-buildpackage)"},
           {cross, "host (dpkg-buildpackage), cross " + native + " to " + cross}}) {
    auto r = harness().anon().Get("/job/" + std::to_string(by_arch.at(arch)) + "/buildinfo");
    ASSERT_TRUE(r && r->status == 200) << arch << (r ? r->body : "");
    EXPECT_EQ(nlohmann::json::parse(r->body)["builder"], builder) << arch;
  }
  auto files = Files(incoming());
  for (const std::string& arch : {native, cross}) {
    EXPECT_TRUE(Has(files, "hello-cross_1.0_" + arch + ".changes")) << arch;
    ASSERT_TRUE(Has(files, "hello-cross_1.0_" + arch + ".deb")) << arch;
    EXPECT_EQ(
        CheckBuiltFor(incoming() + "/hello-cross_1.0_" + arch + ".deb", any.name, arch, scratch()),
        "");
  }
  EXPECT_EQ(client.Stop(), 0) << client.Log();
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

// --metrics-port on the real client: what a dry-run build moves, scraped
// the way Prometheus would.
TEST_F(ClientE2e, ItsMetricsCountADryRunBuild) {
  PackageSpec spec{.name = "hello-metrics", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_e2e_m");
  setup.dry_run = true;
  const int port = FreePort();
  setup.extra_config = R"({"metrics_port": )" + std::to_string(port) + R"(, "jobs": 2})";
  ClientProcess client(setup);
  ASSERT_TRUE(client.WaitForLog("metrics on http://127.0.0.1:" + std::to_string(port), seconds(30)))
      << client.Log();
  ASSERT_TRUE(client.WaitForLog("connected to", seconds(60))) << client.Log();
  auto before = Scrape(port);
  EXPECT_EQ(before.Value("cbit_client_builds_started_total"), 0);
  EXPECT_EQ(before.Value("cbit_client_build_slots"), 2);
  EXPECT_EQ(before.Value("cbit_client_broker_connected"), 1);

  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log();
  // The daemon counts the end once the job's thread has reported it.
  const std::map<std::string, std::string> built{{"result", "built"}, {"failure_class", "none"}};
  ASSERT_TRUE(
      WaitFor([&] { return Scrape(port).Value("cbit_client_builds_finished_total", built) == 1.0; },
              seconds(30)))
      << client.Log() << RawMetrics(port);
  auto after = Scrape(port);
  EXPECT_EQ(after.Value("cbit_client_builds_started_total"), 1);
  EXPECT_EQ(after.Value("cbit_client_builds_finished_total", built), 1);
  EXPECT_EQ(after.Value("cbit_client_build_duration_seconds_count", {{"result", "built"}}), 1);
  EXPECT_EQ(after.Value("cbit_client_builds_running"), 0);
  EXPECT_GT(after.Value("cbit_client_log_bytes_streamed_total").value_or(0),
            static_cast<double>(LogOf(job).size()) / 2);
  EXPECT_GT(after.Value("cbit_client_last_heartbeat_timestamp_seconds").value_or(0), 1.6e9);
  EXPECT_GT(after.Value("cbit_client_last_lease_renewal_timestamp_seconds").value_or(0), 1.6e9);
  EXPECT_EQ(StatusOf(port, "GET", "/health/live"), 200);
  EXPECT_EQ(StatusOf(port, "POST", "/metrics"), 405);
  EXPECT_EQ(StatusOf(port, "GET", "/job"), 404);
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
