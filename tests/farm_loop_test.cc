// The whole loop of docs/design.md ("The one-machine farm"), on one machine, with nothing faked: a
// commit in git (or svn) → the installed post-receive (post-commit) hook submits → cbit-client
// builds it with dpkg-buildpackage → dput into incoming → cbit-watcher runs reprepro → the job is
// Uploaded → apt-get, pointed at the repository cbit-web serves under /debian/, installs the new
// version.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/apt_root.h"
#include "tests/support/client_e2e.h"
#include "tests/support/watcher_process.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kHook = std::string(CBIT_BINARY_DIR) + "/cbit-hook";
const std::string kHooksDir = std::string(CBIT_SOURCE_DIR) + "/hooks";
constexpr const char* kPackage = "hello-loop";

class FarmLoop : public FarmE2e {
 protected:
  void SetUp() override {
    ClientE2e::SetUp();
    StartFarm("build_client_loop_");
  }

  PackageSpec Spec(const std::string& version) const {
    return {.name = kPackage, .version = version, .suite = suite(), .kind = PackageKind::kArchAll};
  }

  std::vector<std::string> HookEnv() const {
    return {"CBIT_HOOK=" + kHook, "CBIT_HOOK_CONFIG=" + hook_config_};
  }

  static CommandResult Run(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    Command cmd;
    cmd.argv = std::move(argv);
    cmd.env = std::move(env);
    cmd.timeout = 5min;
    return RunCommand(cmd);
  }

  // The newest job of the package at `version`; 0 when there is none.
  Id JobOf(const std::string& version) {
    Id id = 0;
    for (const auto& j : harness().store().ListJobs({.suite = suite(), .package = kPackage}, {}))
      if (j.instance.package.version == version) id = std::max(id, j.id);
    return id;
  }

  // Waits for the version's job to reach a final status of the loop and
  // answers it (with the log, for failure messages).
  std::string Outcome(const std::string& version, Id* job = nullptr) {
    Id id = 0;
    std::string status;
    WaitFor(
        [&] {
          id = JobOf(version);
          if (id == 0) return false;
          status = harness().store().GetJob(id).status;
          return status == "Uploaded" || status == "Failed" || status == "Cancelled";
        },
        300s);
    if (job) *job = id;
    return status;
  }

  std::string AptLine() {
    return "deb [trusted=yes] http://127.0.0.1:" + std::to_string(harness().port()) + "/debian " +
           suite() + " main";
  }

  static std::vector<std::string> FilesIn(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path().filename().string());
    return out;
  }
};

// git: push → Uploaded → installable; a newer version upgrades; an older
// version and a same-version rebuild end Failed with reprepro's reason.
TEST_F(FarmLoop, GitCommitEndsInstallableFromTheRepository) {
  std::string bare = scratch() + "/hello-loop.git";
  MustRun({"git", "init", "--quiet", "--bare", bare});
  fs::copy_file(kHooksDir + "/git-post-receive", bare + "/hooks/post-receive");
  GitRepo work = MakeGitRepo(Spec("1.0"), scratch() + "/work");
  auto commit_and_push = [&](const std::string& version) {
    WritePackage(Spec(version), work.path);
    MustRun({"git", "-C", work.path, "add", "--all"});
    MustRun({"git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@example.org",
             "commit", "--quiet", "--allow-empty", "-m", "version " + version});
    CommandResult push =
        Run({"git", "-C", work.path, "push", bare, "HEAD:refs/heads/main"}, HookEnv());
    ASSERT_TRUE(push.ok()) << push.output;
    ASSERT_NE(push.output.find("submitted hello-loop " + version), std::string::npos)
        << push.output;
  };

  // 1.0, the first push of the branch.
  CommandResult first =
      Run({"git", "-C", work.path, "push", bare, "HEAD:refs/heads/main"}, HookEnv());
  ASSERT_TRUE(first.ok()) << first.output;
  Id j10 = 0;
  ASSERT_EQ(Outcome("1.0", &j10), "Uploaded") << LogOf(j10) << client_->Log() << watcher_->Log();
  EXPECT_EQ(Statuses(j10), (std::vector<std::string>{"Waiting", "Building", "Done", "Uploaded"}));
  EXPECT_EQ(FilesIn(incoming()), std::vector<std::string>{}) << "published files stay in incoming";
  AptRoot apt(scratch() + "/aptroot", AptLine());
  apt.Install(kPackage);
  EXPECT_EQ(apt.InstalledVersion(kPackage), "1.0");

  // 1.1 upgrades it.
  commit_and_push("1.1");
  Id j11 = 0;
  ASSERT_EQ(Outcome("1.1", &j11), "Uploaded") << LogOf(j11) << watcher_->Log();
  apt.Install(kPackage);
  EXPECT_EQ(apt.InstalledVersion(kPackage), "1.1");

  // An older version is built (nothing newer of it is unfinished: docs/design.md, "Submission")
  // but the repository refuses it: Failed, with reprepro's reason.
  commit_and_push("1.0.5");
  Id jold = 0;
  ASSERT_EQ(Outcome("1.0.5", &jold), "Failed") << LogOf(jold) << watcher_->Log();
  EXPECT_NE(LogOf(jold).find("reprepro"), std::string::npos) << LogOf(jold);

  // Rebuilding 1.1 (retry of its job) makes the very same files (the build
  // is reproducible): reprepro skips them, and the repository holds exactly
  // what this build made, so it counts as published.
  auto retry = harness().admin().Get("/job/" + std::to_string(j11) + "/retry");
  ASSERT_TRUE(retry && retry->status == 200) << (retry ? retry->body : "");
  Id again = 0;
  ASSERT_TRUE(WaitFor([&] { return (again = JobOf("1.1")) != j11; }, 10s));
  ASSERT_EQ(Outcome("1.1", &again), "Uploaded") << LogOf(again) << watcher_->Log();
  EXPECT_NE(LogOf(again).find("all packages are skipped"), std::string::npos) << LogOf(again);
  EXPECT_NE(LogOf(again).find("already published with the same checksums"), std::string::npos)
      << LogOf(again);

  // What apt sees is still 1.1.
  apt.Install(kPackage);
  EXPECT_EQ(apt.InstalledVersion(kPackage), "1.1");
}

// svn: a commit with the post-commit hook installed ends installable too.
TEST_F(FarmLoop, SvnCommitEndsInstallableFromTheRepository) {
  std::string repo = scratch() + "/svnrepo";
  MustRun({"svnadmin", "create", repo});
  fs::copy_file(kHooksDir + "/svn-post-commit", repo + "/hooks/post-commit");
  // svn runs hooks with an empty environment: conf/hooks-env gives them one.
  std::ofstream(repo + "/conf/hooks-env")
      << "[default]\nCBIT_HOOK = " << kHook << "\nCBIT_HOOK_CONFIG = " << hook_config_ << "\n";
  std::string wc = scratch() + "/wc";
  MustRun({"svn", "mkdir", "--quiet", "-m", "trunk", "file://" + repo + "/trunk"});
  MustRun({"svn", "checkout", "--quiet", "file://" + repo + "/trunk", wc});
  WritePackage(Spec("2.0"), wc + "/" + kPackage);
  MustRun({"svn", "add", "--quiet", wc + "/" + kPackage});
  CommandResult commit = Run({"svn", "commit", "--non-interactive", "-m", "2.0", wc});
  ASSERT_TRUE(commit.ok()) << commit.output;

  Id job = 0;
  ASSERT_EQ(Outcome("2.0", &job), "Uploaded") << LogOf(job) << client_->Log() << watcher_->Log();
  AptRoot apt(scratch() + "/aptroot", AptLine());
  apt.Install(kPackage);
  EXPECT_EQ(apt.InstalledVersion(kPackage), "2.0");
}

}  // namespace
}  // namespace cbit::testing
