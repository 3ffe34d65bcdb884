#include "client/fetch.h"

#include <gtest/gtest.h>

#include "client/fake_runner.h"
#include "client/test_job.h"
#include "testing/test_dir.h"

namespace cbit::client {
namespace {

using Argvs = std::vector<std::vector<std::string>>;

// The fake runs nothing, so nothing appears in the work directory; dry-run
// style checks are enough to see the argv.
class NoFilesRunner final : public Runner {
 public:
  FakeRunner fake;
  CommandResult Run(const Command& c, const LogSink& s, const CancelHook& h) override {
    return fake.Run(c, s, h);
  }
  bool RunsCommands() const override { return false; }
};

}  // namespace

TEST(Fetch, GitClonesThenChecksOutTheRevision) {
  JobSpec job = TestJob();
  job.version = "1.0";  // native: no orig tarball
  NoFilesRunner runner;
  FetchResult r = Fetch(job, "/w", {}, runner, {});
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(r.source_dir, "/w/hello-cbit");
  EXPECT_EQ(runner.fake.Argvs(),
            (Argvs{{"git", "-c", "protocol.ext.allow=never", "clone", "--quiet", "--",
                    "https://example.org/hello.git", "/w/hello-cbit"},
                   {"git", "-C", "/w/hello-cbit", "checkout", "--quiet", "abc123", "--"}}));
}

TEST(Fetch, SvnExportsUriAtRevision) {
  JobSpec job = TestJob("svn");
  job.version = "1.0";
  job.transport.uri = "file:///srv/svn/hello/trunk";
  job.transport.vcs_id = "7";
  NoFilesRunner runner;
  ASSERT_TRUE(Fetch(job, "/w", {}, runner, {}).result.ok());
  EXPECT_EQ(runner.fake.Argvs(), (Argvs{{"svn", "export", "--non-interactive", "--quiet", "--",
                                         "file:///srv/svn/hello/trunk@7", "/w/hello-cbit"}}));
}

TEST(Fetch, AptUsesAPrivateConfiguration) {
  JobSpec job = TestJob("apt");
  testing::TestDir dir;
  std::string tmp = dir.path().string();
  NoFilesRunner runner;
  FetchResult r = Fetch(job, tmp, {"/etc/cbit/sources.list"}, runner, {});
  ASSERT_TRUE(r.result.ok()) << r.result.detail;
  EXPECT_EQ(r.source_dir, tmp + "/hello-cbit-1.0");
  std::vector<std::string> apt = {
      "apt-get", "--quiet",
      "-o",      "Dir::Etc::SourceList=/etc/cbit/sources.list",
      "-o",      "Dir::Etc::SourceParts=" + tmp + "/.apt/sources.list.d",
      "-o",      "Dir::State::Lists=" + tmp + "/.apt/lists",
      "-o",      "Dir::Cache=" + tmp + "/.apt/cache"};
  auto update = apt, source = apt;
  update.push_back("update");
  source.insert(source.end(), {"source", "hello-cbit=1:1.0-2"});
  EXPECT_EQ(runner.fake.Argvs(), (Argvs{update, source}));
}

TEST(Fetch, NonNativeGitPackageGetsItsOrigFromApt) {
  JobSpec job = TestJob();  // 1:1.0-2 has a Debian revision
  testing::TestDir dir;
  std::string tmp = dir.path().string();
  NoFilesRunner runner;
  ASSERT_TRUE(Fetch(job, tmp, {"/etc/cbit/sources.list"}, runner, {}).result.ok());
  auto argvs = runner.fake.Argvs();
  ASSERT_EQ(argvs.size(), 4u);
  EXPECT_EQ(argvs[2].back(), "update");
  EXPECT_EQ(std::vector<std::string>(argvs[3].end() - 3, argvs[3].end()),
            (std::vector<std::string>{"source", "--download-only", "hello-cbit=1:1.0-2"}));
}

TEST(Fetch, RefusesOptionLikeInputBeforeRunningAnything) {
  for (const char* uri : {"--upload-pack=touch /tmp/x", "-oProxyCommand=id"}) {
    JobSpec job = TestJob();
    job.transport.uri = uri;
    NoFilesRunner runner;
    FetchResult r = Fetch(job, "/w", {}, runner, {});
    EXPECT_EQ(r.result.outcome, Outcome::kInfrastructureFailed);
    EXPECT_TRUE(runner.fake.commands.empty());
  }
  JobSpec job = TestJob();
  job.transport.vcs_id = "--orphan";
  NoFilesRunner runner;
  EXPECT_FALSE(Fetch(job, "/w", {}, runner, {}).result.ok());
  EXPECT_TRUE(runner.fake.commands.empty());
}

TEST(Fetch, ReportsFailureAndCancel) {
  JobSpec job = TestJob();
  job.version = "1.0";
  NoFilesRunner runner;
  runner.fake.respond = [](const Command&) {
    CommandResult r;
    r.exit_code = 128;
    return r;
  };
  EXPECT_EQ(Fetch(job, "/w", {}, runner, {}).result.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(runner.fake.commands.size(), 1u);
  runner.fake.respond = [](const Command&) {
    CommandResult r;
    r.exit_code = 130;
    r.cancelled = true;
    return r;
  };
  EXPECT_EQ(Fetch(job, "/w", {}, runner, {}).result.outcome, Outcome::kCancelled);
}

// A source out of reach is retried; one that is there but wrong is not; a
// fetch out of time fails with the class timeout.
TEST(Fetch, ClassifiesNetworkErrorsAndTimeouts) {
  JobSpec job = TestJob();
  job.version = "1.0";
  NoFilesRunner runner;
  runner.fake.respond = [](const Command&) {
    return CommandResult{.exit_code = 128,
                         .output =
                             "fatal: unable to access 'https://git.example/x.git/': Could "
                             "not resolve host: git.example\n"};
  };
  FetchConfig config;
  config.timeout = std::chrono::seconds(20);
  StepResult r = Fetch(job, "/w", config, runner, {}).result;
  EXPECT_EQ(r.failure, FailureClass::kNetwork) << r.detail;
  EXPECT_EQ(r.detail, "git exited with 128: source unreachable");
  ASSERT_TRUE(runner.fake.commands[0].timeout);
  EXPECT_LE(*runner.fake.commands[0].timeout, std::chrono::seconds(20));
  runner.fake.respond = [](const Command&) {
    return CommandResult{.exit_code = 128, .output = "fatal: repository 'x' does not exist\n"};
  };
  EXPECT_EQ(Fetch(job, "/w", config, runner, {}).result.failure, FailureClass::kNone);
  runner.fake.respond = [](const Command&) {
    return CommandResult{.exit_code = 143, .timed_out = true};
  };
  r = Fetch(job, "/w", config, runner, {}).result;
  EXPECT_EQ(r.failure, FailureClass::kTimeout);
  EXPECT_EQ(r.detail, "git timed out: the fetch step's limit of 20 s ran out");
}

}  // namespace cbit::client
