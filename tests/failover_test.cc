// Two cbit-web on one PostgreSQL database, and a build client configured
// with both URLs: while the first controller is down, the client's calls go
// to the second and the job is built.
#include <gtest/gtest.h>
#include <httplib.h>

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

namespace cbit::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kForm = "application/x-www-form-urlencoded";
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
  for (auto [path, body] : std::initializer_list<std::pair<std::string, std::string>>{
           {"/arch", "name=" + HostArch()},
           {"/dist", "name=Debian"},
           {"/format", "name=deb"},
           {"/suite", std::string("name=") + kSuite},
           {"/suitearch",
            std::string("suite=") + kSuite + "&arch=" + HostArch() + "&master_weight=1"}}) {
    auto r = admin.Put(path, body, kForm);
    ASSERT_TRUE(r && r->status == 200) << path << (r ? r->body : "");
  }
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

}  // namespace
}  // namespace cbit::testing
