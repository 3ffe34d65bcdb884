#include "client/upload.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "client/fake_runner.h"
#include "client/test_job.h"
#include "testing/test_dir.h"

namespace cbit::client {
namespace fs = std::filesystem;
namespace {

using Argv = std::vector<std::string>;

struct UploadDir {
  testing::TestDir tmp;
  fs::path dir = tmp.path();
  fs::path changes = dir / "hello-cbit_1.0-2_amd64.changes";

  UploadDir() {
    std::ofstream(changes) << "Source: hello-cbit\nVersion: 1:1.0-2\nFiles:\n"
                              " 0a 1 misc optional hello-cbit_1.0-2_amd64.deb\n"
                              " 0b 1 misc optional hello-cbit_1.0-2_amd64.buildinfo\n";
    for (const char* f : {"hello-cbit_1.0-2_amd64.deb", "hello-cbit_1.0-2_amd64.buildinfo",
                          "hello-cbit_1.0-2.dsc", "unrelated.txt"}) {
      std::ofstream(dir / f) << "x";
    }
  }
};

}  // namespace

TEST(Upload, SignsDputsAndRemovesTheUploadedFiles) {
  UploadDir d;
  FakeRunner runner;
  UploadConfig config{"/etc/cbit/dput.cf", "farm", "0xABCDEF"};
  StepResult r = Upload(TestJob(), d.changes.string(), config, runner, {});
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(
      runner.Argvs(),
      (std::vector<Argv>{{"debsign", "-k", "0xABCDEF", d.changes.string()},
                         {"dput", "-f", "-c", "/etc/cbit/dput.cf", "farm", d.changes.string()}}));
  EXPECT_FALSE(fs::exists(d.changes));
  EXPECT_FALSE(fs::exists(d.dir / "hello-cbit_1.0-2_amd64.deb"));
  EXPECT_FALSE(fs::exists(d.dir / "hello-cbit_1.0-2_amd64.buildinfo"));
  EXPECT_TRUE(fs::exists(d.dir / "hello-cbit_1.0-2.dsc"));  // not part of this upload
  EXPECT_TRUE(fs::exists(d.dir / "unrelated.txt"));
}

TEST(Upload, TargetIsTheBuildEnvWhenSetAndNothingIsSignedWithoutAKey) {
  UploadDir d;
  FakeRunner runner;
  JobSpec job = TestJob();
  job.build_env = "backports";
  ASSERT_TRUE(Upload(job, d.changes.string(), {"dput.cf", "farm", ""}, runner, {}).ok());
  EXPECT_EQ(runner.Argvs(),
            (std::vector<Argv>{{"dput", "-f", "-c", "dput.cf", "backports", d.changes.string()}}));
}

TEST(Upload, FailedDputKeepsTheFiles) {
  UploadDir d;
  FakeRunner runner;
  runner.respond = [](const Command&) {
    CommandResult r;
    r.exit_code = 1;
    return r;
  };
  StepResult r = Upload(TestJob(), d.changes.string(),
                        {"dput.cf", "farm", "", std::chrono::seconds(60)}, runner, {});
  EXPECT_EQ(r.outcome, Outcome::kInfrastructureFailed);
  EXPECT_EQ(r.failure, FailureClass::kUpload);  // retried
  ASSERT_EQ(runner.commands.size(), 1u);
  ASSERT_TRUE(runner.commands[0].timeout);
  EXPECT_LE(*runner.commands[0].timeout, std::chrono::seconds(60));
  EXPECT_TRUE(fs::exists(d.changes));
  EXPECT_TRUE(fs::exists(d.dir / "hello-cbit_1.0-2_amd64.deb"));
}

TEST(Upload, RefusesBadTargetsAndKeys) {
  UploadDir d;
  FakeRunner runner;
  EXPECT_FALSE(Upload(TestJob(), d.changes.string(), {"dput.cf", "-x", ""}, runner, {}).ok());
  EXPECT_FALSE(
      Upload(TestJob(), d.changes.string(), {"dput.cf", "farm", "--homedir=/"}, runner, {}).ok());
  EXPECT_TRUE(runner.commands.empty());
}

TEST(Upload, DryRunRemovesNothing) {
  UploadDir d;
  DryRunRunner runner;
  ASSERT_TRUE(Upload(TestJob(), d.changes.string(), {"dput.cf", "farm", ""}, runner, {}).ok());
  EXPECT_TRUE(fs::exists(d.changes));
}

TEST(Upload, WritesALocalDputConfig) {
  UploadDir d;
  fs::path cf = d.dir / "dput.cf";
  ASSERT_EQ(WriteLocalDputConfig(cf.string(), "farm", "/srv/incoming"), std::nullopt);
  std::ifstream in(cf);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text,
            "[farm]\nmethod = local\nincoming = /srv/incoming\nallow_unsigned_uploads = 1\n"
            "run_dinstall = 0\n");
  EXPECT_TRUE(WriteLocalDputConfig(cf.string(), "bad target", "/x").has_value());
}

}  // namespace cbit::client
