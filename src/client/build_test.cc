#include "client/build.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "client/build_test_dir.h"
#include "client/fake_runner.h"
#include "client/isolated.h"
#include "client/test_job.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

using Argv = std::vector<std::string>;

}  // namespace

TEST(Build, HostMasterBuildsEverythingAndFindsTheChanges) {
  BuildDir d;
  JobSpec job = TestJob();
  job.master = true;
  BuildResult r = Build(job, d.tree.string(), {}, d.runner, {});
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(r.changes, (d.dir / "hello-cbit_1.0-2_amd64.changes").string());
  ASSERT_EQ(d.runner.commands.size(), 1u);
  EXPECT_EQ(d.runner.commands[0].argv, (Argv{"dpkg-buildpackage", "-us", "-uc", "-F"}));
  EXPECT_EQ(d.runner.commands[0].cwd, d.tree.string());
}

TEST(Build, HostNonMasterBuildsArchAnyOnly) {
  BuildDir d;
  ASSERT_TRUE(Build(TestJob(), d.tree.string(), {}, d.runner, {}).result.ok());
  EXPECT_EQ(d.runner.commands[0].argv, (Argv{"dpkg-buildpackage", "-us", "-uc", "-B"}));
}

TEST(Build, SbuildUnsharePacksTheTreeThenBuildsTheDsc) {
  BuildDir d;
  JobSpec job = TestJob();
  job.master = true;
  std::string chroots = (d.dir / "chroots").string();
  fs::create_directories(chroots);
  std::ofstream(chroots + "/bookworm-amd64.tar");
  BuildConfig config{BuilderKind::kSbuildUnshare, chroots};
  ASSERT_TRUE(Build(job, d.tree.string(), config, d.runner, {}).result.ok());
  std::string dir = d.dir.string();
  EXPECT_EQ(
      d.runner.Argvs(),
      (std::vector<Argv>{
          {"dpkg-source", "--build", "hello-cbit"},
          {"sbuild", "--chroot-mode=unshare", "--chroot=" + chroots + "/bookworm-amd64.tar",
           "--dist=bookworm", "--arch=amd64", "--nolog", "--no-run-lintian", "--no-run-autopkgtest",
           "--build-dir=" + dir, "--arch-all", "--source", dir + "/hello-cbit_1.0-2.dsc"}}));
  EXPECT_EQ(d.runner.commands[0].cwd, dir);
}

// A missing chroot is the build machine's fault, of a class that is retried.
TEST(Build, AMissingChrootIsOfTheClassChrootMissing) {
  BuildDir d;
  BuildConfig unshare{BuilderKind::kSbuildUnshare, (d.dir / "no-chroots").string()};
  BuildResult r = Build(TestJob(), d.tree.string(), unshare, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.result.failure, FailureClass::kChrootMissing);
  EXPECT_TRUE(d.runner.commands.empty());

  d.runner.respond = [](const Command& c) {
    CommandResult r;
    r.exit_code = c.argv[0] == "sbuild" ? 1 : 0;
    if (r.exit_code) {
      r.output = "E: Chroot for distribution bookworm, architecture amd64 not found\n";
    }
    return r;
  };
  r = Build(TestJob(), d.tree.string(), {BuilderKind::kSbuildSchroot, ""}, d.runner, {});
  EXPECT_EQ(r.result.failure, FailureClass::kChrootMissing) << r.result.detail;
  EXPECT_EQ(r.result.detail, "sbuild: chroot bookworm not found");
}

// A chroot whose session sbuild could not set up (its tarball not unpacked)
// is the build machine's fault too, and retried; the package never ran.
TEST(Build, AChrootSessionNotSetUpIsOfTheClassChrootFailed) {
  BuildDir d;
  std::string chroots = (d.dir / "chroots").string();
  fs::create_directories(chroots);
  std::ofstream(chroots + "/bookworm-amd64.tar");
  d.runner.respond = [](const Command& c) {
    CommandResult r;
    r.exit_code = c.argv[0] == "sbuild" ? 1 : 0;
    if (r.exit_code) {
      r.output =
          "copy() failed: Broken pipe\nE: Error creating chroot session: skipping hello-cbit\n"
          "Fail-Stage: create-session\nStatus: failed\n";
    }
    return r;
  };
  std::string log;
  BuildResult r = Build(TestJob(), d.tree.string(), {BuilderKind::kSbuildUnshare, chroots},
                        d.runner, [&](std::string_view s) { log += s; });
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.result.failure, FailureClass::kChrootFailed) << r.result.detail;
  EXPECT_EQ(r.result.detail,
            "sbuild: the session of chroot bookworm could not be set up (3 tries)");
  EXPECT_EQ(std::count_if(d.runner.commands.begin(), d.runner.commands.end(),
                          [](const Command& c) { return c.argv[0] == "sbuild"; }),
            3);
  EXPECT_NE(log.find("(try 2 of 3); trying again"), std::string::npos) << log;
}

// ... and a session set up at the second try builds the package in the same
// attempt; a build that fails is not tried again.
TEST(Build, SbuildIsTriedAgainOnlyWhenItsChrootSessionWasNotSetUp) {
  BuildDir d;
  std::string chroots = (d.dir / "chroots").string();
  fs::create_directories(chroots);
  std::ofstream(chroots + "/bookworm-amd64.tar");
  int sbuilds = 0;
  d.runner.respond = [&](const Command& c) {
    CommandResult r;
    r.exit_code = 0;
    if (c.argv[0] == "sbuild" && ++sbuilds == 1) {
      r.exit_code = 1;
      r.output =
          "E: Error creating chroot session: skipping hello-cbit\n"
          "Fail-Stage: create-session\nStatus: failed\n";
    } else if (c.argv[0] == "sbuild") {
      std::ofstream(d.dir / "hello-cbit_1.0-2_amd64.changes");
    }
    return r;
  };
  BuildResult r =
      Build(TestJob(), d.tree.string(), {BuilderKind::kSbuildUnshare, chroots}, d.runner, {});
  EXPECT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(sbuilds, 2);

  sbuilds = 0;
  d.runner.respond = [&](const Command& c) {
    CommandResult r;
    r.exit_code = 0;
    if (c.argv[0] == "sbuild") {
      ++sbuilds;
      r.exit_code = 1;
      r.output = "Fail-Stage: build\nStatus: attempted\n";
    }
    return r;
  };
  r = Build(TestJob(), d.tree.string(), {BuilderKind::kSbuildUnshare, chroots}, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kBuildFailed) << r.result.detail;
  EXPECT_EQ(sbuilds, 1);
}

TEST(Build, ABuilderOutOfTimeOrOfDiskNamesItsClass) {
  BuildDir d;
  d.runner.respond = [](const Command&) {
    CommandResult r;
    r.timed_out = true;
    r.exit_code = 128 + 15;
    return r;
  };
  BuildConfig config;
  config.timeout = std::chrono::seconds(5);
  BuildResult r = Build(TestJob(), d.tree.string(), config, d.runner, {});
  EXPECT_EQ(r.result.failure, FailureClass::kTimeout);
  EXPECT_EQ(r.result.detail, "dpkg-buildpackage timed out: the build step's limit of 5 s ran out");
  d.runner.respond = [](const Command&) {
    return CommandResult{.exit_code = 2,
                         .output = "ld: final link failed: No space left on device"};
  };
  r = Build(TestJob(), d.tree.string(), config, d.runner, {});
  EXPECT_EQ(r.result.failure, FailureClass::kDiskFull);
}

TEST(Build, SbuildSchrootUsesTheBuildEnvChrootAndArchAnyOnly) {
  BuildDir d;
  JobSpec job = TestJob();
  job.build_env = "backports";
  BuildConfig config{BuilderKind::kSbuildSchroot, ""};
  ASSERT_TRUE(Build(job, d.tree.string(), config, d.runner, {}).result.ok());
  std::string dir = d.dir.string();
  EXPECT_EQ(
      d.runner.commands[1].argv,
      (Argv{"sbuild", "--chroot-mode=schroot", "--chroot=backports-bookworm", "--dist=bookworm",
            "--arch=amd64", "--nolog", "--no-run-lintian", "--no-run-autopkgtest",
            "--build-dir=" + dir, "--no-arch-all", dir + "/hello-cbit_1.0-2.dsc"}));
}

TEST(Build, DryRunRunsNothingAndNamesTheExpectedChanges) {
  std::string log;
  DryRunRunner runner;
  BuildResult r = Build(TestJob(), "/nonexistent/w/hello-cbit", {}, runner,
                        [&](std::string_view s) { log += s; });
  ASSERT_TRUE(r.result.ok());
  EXPECT_EQ(r.changes, "/nonexistent/w/hello-cbit_1.0-2_amd64.changes");
  EXPECT_EQ(log, "[dry-run] $ dpkg-buildpackage -us -uc -B\n");
}

TEST(Build, MissingChangesIsAnInfrastructureFailure) {
  BuildDir d;
  d.runner.respond = {};
  BuildResult r = Build(TestJob(), d.tree.string(), {}, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
}

TEST(Build, RefusesAnInvalidJob) {
  BuildDir d;
  JobSpec job = TestJob();
  job.suite = "--chroot=/";
  EXPECT_EQ(Build(job, d.tree.string(), {}, d.runner, {}).result.outcome,
            Outcome::kInfrastructureFailed);
  EXPECT_TRUE(d.runner.commands.empty());
}

// pyBit's BuildRequest `commands`: each a debian/rules target, run as
// `fakeroot debian/rules TARGET` in the source tree before the package is
// built, so what they make (an orig tarball, generated files) is built too.
TEST(Build, HostRunsTheRequestsRulesTargetsInTheTreeBeforeTheBuild) {
  BuildDir d;
  JobSpec job = TestJob();
  job.commands = {"get-orig-source", "fakeroot debian/rules prepare"};
  BuildConfig config;
  config.timeout = std::chrono::seconds(600);
  std::string log;
  BuildResult r =
      Build(job, d.tree.string(), config, d.runner, [&](std::string_view s) { log += s; });
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(d.runner.Argvs(), (std::vector<Argv>{{"fakeroot", "debian/rules", "get-orig-source"},
                                                 {"fakeroot", "debian/rules", "prepare"},
                                                 {"dpkg-buildpackage", "-us", "-uc", "-B"}}));
  for (const auto& c : d.runner.commands) {
    EXPECT_EQ(c.cwd, d.tree.string());
    // Every command of the step shares its deadline.
    ASSERT_TRUE(c.timeout.has_value()) << c.argv[0];
    EXPECT_GT(*c.timeout, std::chrono::milliseconds(0));
    EXPECT_LE(*c.timeout, std::chrono::seconds(600));
  }
  EXPECT_NE(log.find("$ fakeroot debian/rules get-orig-source\n"), std::string::npos) << log;
}

TEST(Build, ARefusedCommandRunsNothingAndSaysWhy) {
  BuildDir d;
  JobSpec job = TestJob();
  job.commands = {"get-orig-source", "clean; rm -rf ~"};
  BuildResult r = Build(job, d.tree.string(), {}, d.runner, {});
  EXPECT_FALSE(r.result.ok());
  EXPECT_NE(r.result.detail.find("'clean; rm -rf ~'"), std::string::npos) << r.result.detail;
  EXPECT_TRUE(d.runner.commands.empty());
}

TEST(Build, AFailingRulesTargetFailsTheBuildBeforeTheBuilderRuns) {
  BuildDir d;
  d.runner.respond = [](const Command& c) {
    CommandResult r;
    r.exit_code = c.argv[0] == "fakeroot" ? 2 : 0;
    return r;
  };
  JobSpec job = TestJob();
  job.commands = {"get-orig-source"};
  BuildResult r = Build(job, d.tree.string(), {}, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kBuildFailed);
  EXPECT_NE(r.result.detail.find("get-orig-source"), std::string::npos) << r.result.detail;
  EXPECT_EQ(d.runner.commands.size(), 1u);

  d.runner.commands.clear();
  d.runner.respond = [](const Command&) {
    CommandResult r;
    r.timed_out = true;
    r.exit_code = 128 + 15;
    return r;
  };
  r = Build(job, d.tree.string(), {}, d.runner, {});
  EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_NE(r.result.detail.find("timed out"), std::string::npos) << r.result.detail;
  EXPECT_EQ(d.runner.commands.size(), 1u);
}

// sbuild keeps the package's own code off the build machine; a rules target
// run on the host would not, so those builders refuse the request.
TEST(Build, SbuildRefusesRulesTargetsRatherThanRunThemOnTheHost) {
  BuildDir d;
  JobSpec job = TestJob();
  job.commands = {"get-orig-source"};
  BuildConfig config{BuilderKind::kSbuildSchroot, ""};
  BuildResult r = Build(job, d.tree.string(), config, d.runner, {});
  EXPECT_FALSE(r.result.ok());
  EXPECT_NE(r.result.detail.find("host"), std::string::npos) << r.result.detail;
  EXPECT_TRUE(d.runner.commands.empty());
}

TEST(Build, DryRunLogsTheRulesTargets) {
  std::string log;
  DryRunRunner runner;
  JobSpec job = TestJob();
  job.commands = {"get-orig-source"};
  ASSERT_TRUE(Build(job, "/nonexistent/w/hello-cbit", {}, runner, [&](std::string_view s) {
                log += s;
              }).result.ok());
  EXPECT_EQ(log,
            "[dry-run] $ fakeroot debian/rules get-orig-source\n"
            "[dry-run] $ dpkg-buildpackage -us -uc -B\n");
}

}  // namespace cbit::client
