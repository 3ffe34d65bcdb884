// End to end, the bounds on a client's faults: each step under a time limit
// (its process group killed, the job Failed with the class timeout), failures
// of the build machine retried with a growing delay and then failed with
// their class, and work directories of dead clients removed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "client/upload.h"
#include "client/workdir.h"
#include "tests/support/client_e2e.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "util/subprocess.h"
#include "util/unique_fd.h"

namespace cbit::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

constexpr seconds kBuildDeadline{300};

// The reason recorded with the job's latest status; empty: none.
std::string LatestReason(ControllerHarness& h, Id job) {
  auto history = h.store().JobHistoryOf(job);
  return history.empty() ? "" : history.back().reason.value_or("");
}

// A server that takes connections and never answers: the kernel completes
// each handshake into the backlog, and nothing ever reads or writes.
class SilentServer {
 public:
  SilentServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (!fd_ || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_.get(), 16) != 0 ||
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
  }
  int port() const { return port_; }

 private:
  UniqueFd fd_;
  int port_ = 0;
};

struct ProcStat {
  char state = '?';
  pid_t pgrp = 0;
};

// State and process group of `pid`, from /proc; nullopt once it is gone.
std::optional<ProcStat> StatOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // pid (comm) state ppid pgrp …; comm may hold spaces, so read after ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  ProcStat st;
  pid_t ppid = 0;
  rest >> st.state >> ppid >> st.pgrp;
  return st;
}

// The process group of the oldest process whose command line holds `text`;
// 0 when none runs.
pid_t ProcessGroupOf(const std::string& text) {
  CommandResult r = RunCommand({.argv = {"pgrep", "-f", "-o", "--", text}});
  if (r.exit_code != 0) return 0;
  auto st = StatOf(std::stoi(r.output));
  return st ? st->pgrp : 0;
}

// Processes of group `pgrp` that still run: zombies do not count (whoever
// inherited them reaps them in its own time).
int LiveProcessesOfGroup(pid_t pgrp) {
  int live = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto st = StatOf(std::stoi(name));
    if (st && st->pgrp == pgrp && st->state != 'Z') ++live;
  }
  return live;
}

TEST_F(ClientE2e, AFetchFromAServerThatNeverAnswersTimesOutAndTheJobFailsWithTheClassTimeout) {
  SilentServer server;
  std::string uri = "http://127.0.0.1:" + std::to_string(server.port()) + "/hello-cbit.git";
  ClientSetup setup = Client("build_client_lim_f");
  setup.extra_config = json{{"fetch_timeout_seconds", 3}}.dump();
  ClientProcess client(setup);
  PackageSpec spec{.suite = suite()};
  Id job = Submit(spec, "git", uri, "");
  ASSERT_TRUE(WaitForStatus(job, "Failed", seconds(90))) << client.Log() << LogOf(job);
  EXPECT_EQ(LatestReason(harness(), job),
            "timeout: git timed out: the fetch step's limit of 3 s ran out");
  EXPECT_NE(LogOf(job).find("(timeout: git timed out"), std::string::npos) << LogOf(job);
  EXPECT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Failed"}));
  EXPECT_FALSE(ProcessRuns(uri));  // git and its remote helper are gone
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, ABuildPastItsSuitesLimitIsKilledWithItsProcessGroupAndFailsWithTheClassTimeout) {
  PackageSpec spec{.name = "hello-slow", .suite = suite(), .kind = PackageKind::kArchAnySleeps};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_lim_b");
  // The client's own limit is an hour; the suite's is 15 s (time enough to see the sleep).
  setup.extra_config = json{{"build_timeout_hours", 1},
                            {"suite_limits", {{suite(), {{"build_timeout_seconds", 15}}}}}}
                           .dump();
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitFor([&] { return ProcessRuns(SleepMarker()); }, kBuildDeadline))
      << client.Log() << LogOf(job);
  pid_t group = ProcessGroupOf(SleepMarker());
  ASSERT_GT(group, 0);
  ASSERT_TRUE(WaitForStatus(job, "Failed", seconds(60))) << client.Log() << LogOf(job);
  EXPECT_EQ(LatestReason(harness(), job),
            "timeout: dpkg-buildpackage timed out: the build step's limit of 15 s ran out");
  // Nothing of the build's process group runs any more, the sleep included.
  EXPECT_TRUE(WaitFor([&] { return LiveProcessesOfGroup(group) == 0; }, seconds(10)))
      << LiveProcessesOfGroup(group) << " processes of group " << group << " run";
  EXPECT_FALSE(ProcessRuns(SleepMarker()));
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, AnUploadToAnUnreachableHostIsRetriedWithItsCountThenFailsWithTheClassUpload) {
  // dput by ftp to a port nothing listens on: "Connection refused".
  std::string dput_cf = scratch() + "/dput-dead.cf";
  std::ofstream(dput_cf) << "[dead]\nmethod = ftp\nfqdn = 127.0.0.1:" << FreePort()
                         << "\nincoming = /incoming\nallow_unsigned_uploads = 1\n";
  PackageSpec spec{.name = "hello-unsent", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  ClientSetup setup = Client("build_client_lim_u");
  setup.extra_config =
      json{{"dput_config", dput_cf}, {"dput_dest", "dead"}, {"infra_retries", 2}}.dump();
  ClientProcess client(setup);
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Failed", kBuildDeadline)) << client.Log() << LogOf(job);
  ASSERT_EQ(Statuses(job), (std::vector<std::string>{"Waiting", "Building", "Waiting", "Building",
                                                     "Waiting", "Building", "Failed"}));
  std::vector<std::string> reasons;
  for (const auto& h : harness().store().JobHistoryOf(job))
    reasons.push_back(h.reason.value_or(""));
  // retry_base_seconds 1 (ClientProcess): 1 s, then 2 s.
  EXPECT_EQ(reasons[2], "upload: retry 1 of 2 in 1 s: dput exited with 1");
  EXPECT_EQ(reasons[4], "upload: retry 2 of 2 in 2 s: dput exited with 1");
  EXPECT_EQ(reasons[6], "upload: failed after 2 retries: dput exited with 1");
  EXPECT_NE(LogOf(job).find("Connection refused"), std::string::npos) << LogOf(job);
  EXPECT_TRUE(client.WaitForLog("upload failure, retry 2; trying again in 2 s", seconds(10)))
      << client.Log();
  EXPECT_EQ(client.Stop(), 0);
}

TEST_F(ClientE2e, StaleWorkDirectoriesAreRemovedAtStartAndAfterEachJobButNotOneInUse) {
  std::string buildroot = scratch() + "/buildroot";
  fs::create_directories(buildroot + "/job-999/hello-cbit/debian");
  std::ofstream(buildroot + "/job-999/hello-cbit/debian/rules") << "left by a killed client\n";
  fs::create_directories(buildroot + "/not-a-job");
  std::error_code ec;
  // Another client on the same buildroot, building now.
  auto in_use = client::Workdir::Acquire(buildroot + "/job-997", ec);
  ASSERT_TRUE(in_use) << ec.message();
  ClientSetup setup = Client("build_client_lim_c");
  setup.extra_config = json{{"buildroot", buildroot}}.dump();
  ClientProcess client(setup);
  ASSERT_TRUE(
      client.WaitForLog("removed the stale work directory " + buildroot + "/job-999", seconds(60)))
      << client.Log();
  EXPECT_FALSE(fs::exists(buildroot + "/job-999"));
  EXPECT_TRUE(fs::exists(buildroot + "/not-a-job"));
  EXPECT_TRUE(fs::exists(buildroot + "/job-997"));

  // A client that dies while this one runs leaves a directory behind.
  fs::create_directories(buildroot + "/job-998-build_client_other/x");
  PackageSpec spec{.name = "hello-clean", .suite = suite()};
  auto repo = MakeGitRepo(spec, scratch());
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(WaitForStatus(job, "Done", kBuildDeadline)) << client.Log() << LogOf(job);
  ASSERT_TRUE(client.WaitForLog(
      "removed the stale work directory " + buildroot + "/job-998-build_client_other", seconds(30)))
      << client.Log();
  EXPECT_FALSE(fs::exists(buildroot + "/job-" + std::to_string(job)));
  EXPECT_TRUE(fs::exists(buildroot + "/job-997"));
  EXPECT_EQ(client.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
