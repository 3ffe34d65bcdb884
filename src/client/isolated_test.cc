#include "client/isolated.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/fake_runner.h"

namespace cbit::client {
namespace {

JobSpec Job(bool master) {
  JobSpec job;
  job.package = "hello";
  job.version = "1.0";
  job.suite = "bookworm";
  job.arch = "amd64";
  job.dist = "debian";
  job.format = "deb";
  job.master = master;
  job.transport = {"git", "/srv/git/hello.git", "abc"};
  return job;
}

// The words after the first "--": the steps inside the sandbox.
std::vector<std::string> Steps(const Command& cmd) {
  auto dashes = std::find(cmd.argv.begin(), cmd.argv.end(), "--");
  return {dashes + 1, cmd.argv.end()};
}

TEST(Isolated, RootNamedAfterTheChrootAndArch) {
  BuildConfig config;
  config.roots_dir = "/srv/roots";
  JobSpec job = Job(true);
  EXPECT_EQ(RootFor(job, config), "/srv/roots/bookworm-amd64/current");
  job.build_env = "cross";
  EXPECT_EQ(RootFor(job, config), "/srv/roots/cross-bookworm-amd64/current");
  // A cross job builds in the build machine's root.
  config.build_arch = "amd64";
  config.cross_arches = {"arm64"};
  job.arch = "arm64";
  EXPECT_EQ(RootArch(job, config), "amd64");
  EXPECT_EQ(RootFor(job, config), "/srv/roots/cross-bookworm-amd64/current");
  config.cross_arches.clear();  // not served: its own arch, as before
  EXPECT_EQ(RootFor(job, config), "/srv/roots/cross-bookworm-arm64/current");
}

TEST(Isolated, OnlyTheWorkDirectoryAndTheAptCacheAreBound) {
  BuildConfig config;
  config.roots_dir = "/srv/roots";
  Command cmd = IsolatedCommand(Job(false), "/work/job-7/hello-1.0", "/srv/roots/x/g1", config);
  std::string all = DescribeArgv(cmd.argv);
  EXPECT_NE(all.find("--bind /work/job-7:/build"), std::string::npos) << all;
  EXPECT_NE(all.find("--bind /srv/roots/apt-cache:/var/cache/apt/archives"), std::string::npos);
  EXPECT_NE(all.find("--chdir /build/hello-1.0"), std::string::npos);
  EXPECT_NE(all.find("--online-lock /srv/roots/apt-cache --online-steps 2 --"), std::string::npos);
  EXPECT_EQ(all.find("--net"), std::string::npos);
  EXPECT_EQ(std::count(cmd.argv.begin(), cmd.argv.end(), "--bind"), 2);
  std::vector<std::string> steps = Steps(cmd);
  std::vector<std::string> want = {
      "dpkg-checkbuilddeps", "-B", "--or",  "apt-get",           "-q",  "-y",  "build-dep",
      "--arch-only",         "./", "--and", "dpkg-buildpackage", "-us", "-uc", "-B"};
  EXPECT_EQ(steps, want);
}

TEST(Isolated, MasterBuildsEverythingAndNetworkIsConfigurable) {
  BuildConfig config;
  config.build_network = true;
  Command cmd = IsolatedCommand(Job(true), "/w/hello-1.0", "/r", config);
  std::string all = DescribeArgv(cmd.argv);
  EXPECT_NE(all.find("--net --online-lock /var/lib/cbit-client/roots/apt-cache --online-steps 2"),
            std::string::npos)
      << all;
  EXPECT_EQ(cmd.argv.back(), "-F");
  EXPECT_EQ(std::count(cmd.argv.begin(), cmd.argv.end(), "--arch-only"), 0);
}

TEST(Isolated, FailuresByStep) {
  CommandResult r;
  r.exit_code = 125;
  r.output = "cbit-sandbox: mount overlay: Permission denied\n";
  EXPECT_EQ(ClassifyIsolated(r).outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(ClassifyIsolated(r).failure, FailureClass::kNone);
  // Retried: the next try finds the new root.
  r.output = "cbit-sandbox: root /r/g-1 was removed (an update replaced it)\n";
  EXPECT_EQ(ClassifyIsolated(r).failure, FailureClass::kChrootMissing);
  r.exit_code = 100;
  r.output =
      "E: Unable to satisfy dependencies.\ncbit-sandbox: step 2 of 3 failed: apt-get exited with "
      "100\n";
  EXPECT_EQ(ClassifyIsolated(r).outcome, Outcome::kDependencyWait);
  r.output =
      "E: Failed to fetch http://deb.debian.org/x.deb  Temporary failure resolving\n"
      "cbit-sandbox: step 2 of 3 failed: apt-get exited with 100\n";
  EXPECT_EQ(ClassifyIsolated(r).failure, FailureClass::kNetwork);
  r.exit_code = 2;
  r.output =
      "hello.c:1: error\ncbit-sandbox: step 3 of 3 failed: dpkg-buildpackage exited with 2\n";
  EXPECT_EQ(ClassifyIsolated(r).outcome, Outcome::kBuildFailed);
  // Build-dependencies that step 1 found missing and step 2 installed: a
  // later failure of the build is the build's.
  r.output =
      "cbit-sandbox: running step 1 of 3: dpkg-checkbuilddeps\n"
      "dpkg-checkbuilddeps: error: Unmet build dependencies: cmake\n"
      "cbit-sandbox: running step 2 of 3: apt-get\nSetting up cmake (3.25.1-1) ...\n"
      "cbit-sandbox: running step 3 of 3: dpkg-buildpackage\n"
      "dpkg-source: error: can't build with source format '3.0 (native)'\n"
      "cbit-sandbox: step 3 of 3 failed: dpkg-buildpackage exited with 2\n";
  EXPECT_EQ(ClassifyIsolated(r).outcome, Outcome::kBuildFailed);
  // Unmet in the build step itself (an arch-dependent one): a dependency wait.
  r.output =
      "cbit-sandbox: running step 3 of 3: dpkg-buildpackage\n"
      "dpkg-checkbuilddeps: error: Unmet build dependencies: foo\n"
      "cbit-sandbox: step 3 of 3 failed: dpkg-buildpackage exited with 2\n";
  EXPECT_EQ(ClassifyIsolated(r).outcome, Outcome::kDependencyWait);
}

TEST(Isolated, MissingRootIsChrootMissing) {
  BuildConfig config;
  config.kind = BuilderKind::kIsolated;
  config.roots_dir = ::testing::TempDir() + "/no-roots";
  FakeRunner runner;
  std::optional<StepResult> r =
      RunIsolated(Job(true), "/tmp/x/hello-1.0", config, StepDeadline({}, "build"), runner, {}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->failure, FailureClass::kChrootMissing);
  EXPECT_TRUE(runner.commands.empty());
}

}  // namespace
}  // namespace cbit::client
