// Leases end to end (docs/design.md, "Job life cycle"): real cbit-client
// processes against the controller's HTTP API and RabbitMQ, with a lease of
// a few seconds. A client stopped mid-build (SIGSTOP) for longer than its
// lease loses the job to the queue; another client builds it; the stopped
// one, resumed, hears 409 and neither uploads nor reports the job.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "tests/support/client_e2e.h"

namespace cbit::testing {
namespace {
namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr seconds kDeadline{120};

// Resumes a stopped client however the test ends: a stopped process does
// not act on the SIGTERM that stops it.
class Paused {
 public:
  explicit Paused(pid_t pid) : pid_(pid) { kill(pid_, SIGSTOP); }
  ~Paused() { Resume(); }
  Paused(const Paused&) = delete;
  Paused& operator=(const Paused&) = delete;
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

class ClientLease : public ClientE2e {
 protected:
  void TuneController(web::Config& c) override {
    c.lease_seconds = 3;
    c.max_attempts = 2;
  }
  ClientSetup LeasedClient(const std::string& id) {
    ClientSetup s = Client(id);
    s.lease_renew_seconds = 1;
    s.heartbeat_seconds = 1;
    return s;
  }
  std::string Get(const std::string& path) {
    auto r = harness().anon().Get(path);
    return r ? r->body : "(no answer)";
  }
  std::string Holder(Id job) {
    auto c = harness().store().GetJob(job).buildclient;
    return c ? c->name : "";
  }
  // The package's build waits while the hold file exists.
  PackageSpec HeldPackage(const std::string& name) {
    hold_ = scratch() + "/hold-" + name;
    std::ofstream(hold_) << "hold\n";
    return {.name = name, .suite = suite(), .hold_file = hold_};
  }
  bool Building(Id job, int attempt) {
    return WaitFor(
        [&] {
          auto r = harness().anon().Get("/job/" + std::to_string(job) +
                                        "/log?attempt=" + std::to_string(attempt));
          return r && r->status == 200 && r->body.find("$ dpkg-buildpackage") != std::string::npos;
        },
        kDeadline);
  }
  std::string hold_;
};

int Count(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::count(v.begin(), v.end(), s));
}

std::vector<fs::path> ChangesIn(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".changes") out.push_back(e.path());
  return out;
}

TEST_F(ClientLease, AStoppedClientsJobIsBuiltByAnotherAndTheStoppedOneStopsWhenResumed) {
  PackageSpec spec = HeldPackage("hello-lease");
  auto repo = MakeGitRepo(spec, scratch());
  ClientProcess first(LeasedClient("build_client_lease_a"));
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(Building(job, 1)) << first.Log();
  EXPECT_EQ(Get("/buildd/build_client_lease_a/status"), "Active");

  Paused paused(first.pid());
  ClientProcess second(LeasedClient("build_client_lease_b"));
  // Silent for longer than the lease: the job went back to Waiting (a new
  // attempt, its request published again), and the second client took it.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Count(Statuses(job), "Building") == 2 && Holder(job) == "build_client_lease_b";
      },
      kDeadline))
      << second.Log();
  EXPECT_EQ(Statuses(job),
            (std::vector<std::string>{"Waiting", "Building", "Waiting", "Building"}));
  std::string history = Get("/job/" + std::to_string(job) + "/status");
  EXPECT_NE(history.find("\"reason\": \"lease expired: client build_client_lease_a not heard from"),
            std::string::npos)
      << history;
  EXPECT_EQ(Get("/buildd/build_client_lease_a/status"), "Not Active");
  EXPECT_EQ(Get("/buildd/build_client_lease_b/status"), "Active");
  std::string lease = Get("/job/" + std::to_string(job) + "/lease");
  EXPECT_NE(lease.find("\"client\": \"build_client_lease_b\""), std::string::npos) << lease;
  EXPECT_NE(lease.find("\"attempt\": 2"), std::string::npos) << lease;

  fs::remove(hold_);
  ASSERT_TRUE(WaitForStatus(job, "Done", kDeadline)) << second.Log() << LogOf(job);
  for (const auto& c : ChangesIn(incoming())) fs::remove(c);

  // Resumed, the first client hears 409, stops its build and reports and
  // uploads nothing.
  paused.Resume();
  ASSERT_TRUE(first.WaitForLog("job " + std::to_string(job) + ": lease lost", kDeadline))
      << first.Log();
  ASSERT_TRUE(first.WaitForLog("build stopped, nothing more reported", seconds(30))) << first.Log();
  EXPECT_EQ(Statuses(job),
            (std::vector<std::string>{"Waiting", "Building", "Waiting", "Building", "Done"}));
  EXPECT_EQ(Holder(job), "build_client_lease_b");
  EXPECT_TRUE(ChangesIn(incoming()).empty());
  EXPECT_EQ(first.Stop(), 0) << first.Log();
  EXPECT_EQ(second.Stop(), 0);
}

TEST_F(ClientLease, AJobWhoseLastAttemptsLeaseRunsOutFailsWithTheReason) {
  PackageSpec spec = HeldPackage("hello-lease-fails");
  auto repo = MakeGitRepo(spec, scratch());
  ClientProcess first(LeasedClient("build_client_lease_c"));
  Id job = Submit(spec, "git", repo.path, repo.commit);
  ASSERT_TRUE(Building(job, 1)) << first.Log();
  Paused first_paused(first.pid());
  ClientProcess second(LeasedClient("build_client_lease_d"));
  ASSERT_TRUE(Building(job, 2)) << second.Log();
  Paused second_paused(second.pid());
  // max_attempts 2: the second expiry fails the job.
  ASSERT_TRUE(WaitForStatus(job, "Failed", kDeadline));
  EXPECT_EQ(Statuses(job),
            (std::vector<std::string>{"Waiting", "Building", "Waiting", "Building", "Failed"}));
  std::string history = Get("/job/" + std::to_string(job) + "/status");
  EXPECT_NE(history.find("lease expired: client build_client_lease_d not heard from"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("(attempt 2 of 2)"), std::string::npos) << history;

  first_paused.Resume();
  second_paused.Resume();
  fs::remove(hold_);
  for (ClientProcess* c : {&first, &second})
    EXPECT_TRUE(c->WaitForLog("build stopped, nothing more reported", kDeadline)) << c->Log();
  EXPECT_EQ(Statuses(job).back(), "Failed");
  EXPECT_EQ(Count(Statuses(job), "Failed"), 1);
  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
