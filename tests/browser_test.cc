// The dashboard in a real browser: the farm of farm_loop_test.cc (a git push
// through the installed hook → cbit-client builds on this machine → dput →
// cbit-watcher publishes), and headless Chromium driven through WebDriver by
// tests/browser/dashboard_test.py: sign-in and out, the admin form and the
// controller's 409, a forged cross-site post, a job seen Waiting → Building
// → Done → Uploaded with its log growing and no reload, a running build
// cancelled with its button and retried. Screenshots of every page go to
// <build>/browser-screenshots.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/client_e2e.h"
#include "tests/support/watcher_process.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kHook = std::string(CBIT_BINARY_DIR) + "/cbit-hook";
const std::string kScript = std::string(CBIT_SOURCE_DIR) + "/tests/browser/dashboard_test.py";
const std::string kScreenshots = std::string(CBIT_BINARY_DIR) + "/browser-screenshots";
constexpr const char* kPackage = "hello-browser";

class BrowserDashboard : public FarmE2e {
 protected:
  void SetUp() override {
    ClientE2e::SetUp();
    StartFarm("build_client_browser_");
  }

  PackageSpec Spec(const std::string& version) const {
    return {.name = kPackage, .version = version, .suite = suite(), .hold_file = hold_file()};
  }
  std::string hold_file() const { return scratch() + "/hold-build"; }

  // A bare repository with the hook, and a work tree whose branches v1
  // (1.0) and v2 (1.1) the script pushes.
  std::string MakeRepositories() {
    const std::string bare = scratch() + "/" + kPackage + ".git";
    MustRun({"git", "init", "--quiet", "--bare", bare});
    fs::copy_file(std::string(CBIT_SOURCE_DIR) + "/hooks/git-post-receive",
                  bare + "/hooks/post-receive");
    GitRepo work = MakeGitRepo(Spec("1.0"), scratch() + "/work");
    MustRun({"git", "-C", work.path, "branch", "v1"});
    WritePackage(Spec("1.1"), work.path);
    MustRun({"git", "-C", work.path, "add", "--all"});
    MustRun({"git", "-C", work.path, "-c", "user.name=t", "-c", "user.email=t@example.org",
             "commit", "--quiet", "-m", "1.1"});
    MustRun({"git", "-C", work.path, "branch", "v2"});
    return nlohmann::json{{"url", "http://127.0.0.1:" + std::to_string(harness().port())},
                          {"user", kAdminUser},
                          {"password", kAdminPassword},
                          {"package", kPackage},
                          {"hold_file", hold_file()},
                          {"push", {"git", "-C", work.path, "push", bare}},
                          {"env", {{"CBIT_HOOK", kHook}, {"CBIT_HOOK_CONFIG", hook_config_}}}}
        .dump();
  }
};

TEST_F(BrowserDashboard, WatchAndSteerTheFarmInChromium) {
  for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver"})
    ASSERT_TRUE(fs::exists(tool)) << tool << " is missing: scripts/install-deps.sh installs it";
  const std::string plan = scratch() + "/plan.json";
  std::ofstream(plan) << MakeRepositories();
  Command cmd;
  cmd.argv = {"/usr/bin/python3", kScript, "--plan", plan, "--out", kScreenshots};
  cmd.timeout = 12min;  // the deadline: a hung browser fails the test
  CommandResult r = RunCommand(cmd);
  EXPECT_TRUE(r.ok()) << r.output << "\nclient:\n"
                      << client_->Log() << "\nwatcher:\n"
                      << watcher_->Log();
  EXPECT_NE(r.output.find("PASSED"), std::string::npos) << r.output;
  std::cout << r.output;
}

}  // namespace
}  // namespace cbit::testing
