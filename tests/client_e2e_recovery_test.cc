// End to end, when things go wrong or take a chroot: a client killed in the
// middle of a build, a dependency wait retried through the delay queues, and
// one build with sbuild (unshare) in the cached chroot tarball.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/client_e2e.h"
#include "tests/support/fixture.h"

namespace cbit::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr seconds kBuildDeadline{300};

int Count(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::count(v.begin(), v.end(), s));
}

TEST_F(ClientE2e, AKilledClientsJobIsTakenOverAndDoneExactlyOnce) {
  // The build waits while the hold file exists, so it is surely in progress
  // when its client is killed.
  std::string hold = scratch() + "/hold";
  std::ofstream(hold) << "hold\n";
  PackageSpec spec{.name = "hello-held", .suite = suite(), .hold_file = hold};
  auto repo = MakeGitRepo(spec, scratch());
  ClientProcess first(Client("build_client_e2e_k1"));
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitFor([&] { return LogOf(job).find("$ dpkg-buildpackage") != std::string::npos; },
                      kBuildDeadline))
      << first.Log();
  ClientProcess second(Client("build_client_e2e_k2"));
  ASSERT_TRUE(second.WaitForLog("connected to amqp://", seconds(60))) << second.Log();
  first.Kill();

  // The broker hands the request to the second client, which gives the
  // silent first one a delay, then takes the job over.
  ASSERT_TRUE(WaitFor([&] { return Count(Statuses(job), "Building") == 2; }, seconds(120)))
      << second.Log();
  fs::remove(hold);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << second.Log() << LogOf(job);
  auto statuses = Statuses(job);
  EXPECT_EQ(statuses, (std::vector<std::string>{"Waiting", "Building", "Building", "Done"}));
  EXPECT_EQ(harness().store().GetJob(job).buildclient->name, "build_client_e2e_k2");
  EXPECT_EQ(second.Stop(), 0);
  EXPECT_EQ(Count(Statuses(job), "Done"), 1);
  // The killed client's orphaned build ends once it is let go.
  EXPECT_TRUE(WaitFor([&] { return !ProcessRuns(hold); }, seconds(120)));
}

TEST_F(ClientE2e, ADependencyWaitIsBlockedAndRetriedUntilCancelled) {
  PackageSpec spec{
      .name = "hello-waits", .suite = suite(), .extra_build_depends = "cbit-no-such-package"};
  auto repo = MakeGitRepo(spec, scratch());
  ClientProcess client(Client("build_client_e2e_w"));
  Id job = Submit(spec, "git", repo.path, repo.commit);
  // retry_base_seconds 1: the delay queues bring it back after 1 s, then 2 s.
  ASSERT_TRUE(WaitFor([&] { return Count(Statuses(job), "Blocked") >= 2; }, kBuildDeadline))
      << client.Log();
  EXPECT_NE(LogOf(job).find("Unmet build dependencies: cbit-no-such-package"), std::string::npos);
  EXPECT_TRUE(client.WaitForLog("dependency wait 2", seconds(60))) << client.Log();
  ASSERT_TRUE(WaitForStatus(job, "Blocked", seconds(60)));
  auto r = harness().admin().Get("/job/" + std::to_string(job) + "/cancel");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, R"({"result": "Cancelled"})");
  // The request still in a delay queue comes back once more and is dropped.
  EXPECT_TRUE(
      client.WaitForLog("job " + std::to_string(job) + ": status Cancelled; dropped", seconds(60)))
      << client.Log();
  EXPECT_EQ(Statuses(job).back(), "Cancelled");
  EXPECT_EQ(client.Stop(), 0);
}

// Builds the chroot tarball on first use; later runs reuse it.
std::string ChrootDir() {
  std::string dir = std::string(CBIT_BINARY_DIR) + "/chroots";
  fs::create_directories(dir);
  std::string arch = HostArch();
  MustRun({std::string(CBIT_SOURCE_DIR) + "/scripts/make-chroot.sh", "bookworm", arch,
           dir + "/bookworm-" + arch + ".tar"});
  return dir;
}

TEST_F(ClientE2e, SbuildUnshareBuildsArchAnyInTheCachedChroot) {
  AddSuite("bookworm");  // the chroot's name
  PackageSpec spec{.name = "hello-sbuild", .suite = "bookworm"};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_e2e_s");
  setup.suites = {"bookworm"};
  setup.builder = "sbuild";
  setup.chroot_dir = ChrootDir();
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log() << LogOf(job);
  std::string log = LogOf(job);
  EXPECT_NE(log.find("$ sbuild --chroot-mode=unshare"), std::string::npos) << log;
  EXPECT_NE(log.find("Status: successful"), std::string::npos) << log;
  EXPECT_TRUE(fs::exists(incoming() + "/hello-sbuild_1.0_" + HostArch() + ".changes"));
  EXPECT_EQ(client.Stop(), 0);
}

// The daemon with builder "isolated": cbit-sandbox found beside cbit-client,
// the root made by `cbit-client chroot create` from the same tarball.
TEST_F(ClientE2e, IsolatedBuilderBuildsInThePreparedRoot) {
  AddSuite("bookworm");
  std::string roots = std::string(CBIT_BINARY_DIR) + "/roots";
  MustRun({std::string(CBIT_BINARY_DIR) + "/cbit-client", "chroot", "--roots-dir", roots, "create",
           "bookworm", "--from-tarball", ChrootDir() + "/bookworm-" + HostArch() + ".tar"});
  PackageSpec spec{.name = "hello-isolated", .suite = "bookworm"};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_e2e_i");
  setup.suites = {"bookworm"};
  setup.builder = "isolated";
  setup.extra_config = "{\"roots_dir\": \"" + roots + "\"}";
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log() << LogOf(job);
  std::string log = LogOf(job);
  EXPECT_NE(log.find(std::string(CBIT_BINARY_DIR) + "/cbit-sandbox --root " + roots),
            std::string::npos)
      << log;
  EXPECT_TRUE(fs::exists(incoming() + "/hello-isolated_1.0_" + HostArch() + ".changes"));
  EXPECT_NE(client.Log().find("root bookworm-" + HostArch()), std::string::npos) << client.Log();
  EXPECT_EQ(client.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
