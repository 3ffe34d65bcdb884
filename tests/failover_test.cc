// Two cbit-web on one PostgreSQL database: a build client configured with
// both URLs builds while the first controller is down, and a hook
// configured with both loses no submission while the two are restarted in
// turn (a rolling upgrade).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/client_process.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/postgres.h"
#include "tests/support/rabbitmq.h"
#include "tests/support/web_process.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSuite = "failover";

std::string Url(const WebSetup& w) { return "http://127.0.0.1:" + std::to_string(w.port); }

TEST(ControllerFailover, AClientGoesToTheSecondControllerWhileTheFirstIsDown) {
  const std::string dir = ScratchDir("failover");
  const nlohmann::json db = {{"backend", "postgres"}, {"conninfo", FreshPostgresDatabase()}};
  const int amqp = SharedRabbit().port();
  WebSetup first{dir, FreePort(), amqp, nullptr, db};
  WebSetup second{dir, FreePort(), amqp, nullptr, db};
  auto a = std::make_unique<WebProcess>(first);
  WebProcess b(second);
  httplib::Client admin("127.0.0.1", second.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  AddHostTarget(admin, kSuite);
  ClientSetup setup;
  setup.clientid = "build_client_failover";
  setup.suites = {kSuite};
  setup.controller_port = first.port;
  setup.controller_urls = {Url(first), Url(second)};
  setup.amqp_port = amqp;
  setup.dry_run = true;
  setup.incoming = dir + "/incoming";
  a->Kill();
  ClientProcess client(setup);

  Id job = SubmitFromNowhere(admin, "hello-failover", kSuite);
  ASSERT_NE(job, 0) << "the surviving controller refused the submission";
  EXPECT_EQ(StatusWithin(admin, job, "Done", 60s), "Done") << client.Log();
  EXPECT_EQ(client.Stop(), 0) << client.Log();
}

// The .changes text the hook's `changes` mode reads for `package` 1.0.
std::string ChangesText(const std::string& package) {
  return "Format: 1.8\nSource: " + package + "\nBinary: " + package +
         "\nArchitecture: source all\nVersion: 1.0\nDistribution: " + kSuite + "\nChanges:\n " +
         package + " (1.0) " + kSuite + "; urgency=low\n";
}

// Each controller in turn is stopped (SIGTERM: it stops accepting, answers
// what it accepted) and started again, twice, while a hook given both URLs
// submits a package every 50 ms: every submission is answered and becomes
// exactly one job.
TEST(ControllerFailover, ARollingRestartOfTwoControllersLosesNoSubmission) {
  const std::string dir = ScratchDir("rolling");
  const nlohmann::json db = {{"backend", "postgres"}, {"conninfo", FreshPostgresDatabase()}};
  const int amqp = SharedRabbit().port();
  std::vector<WebSetup> setups{{dir, FreePort(), amqp, nullptr, db},
                               {dir, FreePort(), amqp, nullptr, db}};
  std::vector<std::unique_ptr<WebProcess>> webs;
  for (const WebSetup& s : setups) webs.push_back(std::make_unique<WebProcess>(s));
  {
    httplib::Client admin("127.0.0.1", setups[0].port);
    admin.set_basic_auth(kAdminUser, kAdminPassword);
    AddHostTarget(admin, kSuite);
  }

  const std::vector<std::string> env = {
      "CBIT_URL=" + Url(setups[0]) + "," + Url(setups[1]), std::string("CBIT_USER=") + kAdminUser,
      std::string("CBIT_PASSWORD=") + kAdminPassword, "CBIT_HOOK_CONFIG="};
  std::atomic<bool> restarting{true};
  std::vector<std::string> failures;
  int submitted = 0;
  std::thread hook([&] {
    // Submissions go on until the restarts are over, and a few more after.
    for (int after = 0; after < 5; ++submitted) {
      if (!restarting) ++after;
      Command c{{std::string(CBIT_BINARY_DIR) + "/cbit-hook", "changes"}, env};
      c.stdin_data = ChangesText("rolling-" + std::to_string(submitted));
      c.timeout = std::chrono::seconds(60);
      CommandResult r = RunCommand(c);
      if (!r.ok()) failures.push_back("rolling-" + std::to_string(submitted) + ": " + r.output);
      std::this_thread::sleep_for(50ms);
    }
  });
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < webs.size(); ++i) {
      std::this_thread::sleep_for(700ms);
      EXPECT_EQ(webs[i]->Stop(), 0) << webs[i]->Log();
      webs[i] = std::make_unique<WebProcess>(setups[i]);
    }
  }
  restarting = false;
  hook.join();

  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << submitted
                                << " submissions failed; the first: " << failures.front();
  ASSERT_LT(submitted, 500);  // one page of GET /job below
  httplib::Client admin("127.0.0.1", setups[1].port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  auto r = admin.Get("/job?view=rows&limit=500");
  ASSERT_TRUE(r && r->status == 200);
  std::map<std::string, int> jobs;
  for (const auto& row : nlohmann::json::parse(r->body)) ++jobs[row["package"].get<std::string>()];
  EXPECT_EQ(jobs.size(), static_cast<std::size_t>(submitted));
  for (const auto& [package, n] : jobs) EXPECT_EQ(n, 1) << package << " has " << n << " jobs";
}

}  // namespace
}  // namespace cbit::testing
