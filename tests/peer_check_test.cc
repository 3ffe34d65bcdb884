// Start-up peer checks against real servers: cbit-web, cbit-client and
// cbit-watcher refuse a config whose peer refuses them (exit 1, at once)
// and fail a start whose peer does not answer within startup_wait_seconds
// (exit 2), each saying which peer and which settings; the controller
// serves without its broker (submissions wait in the outbox) and the
// watcher without its controller (verdicts wait in the spool).
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "http/controller_probe.h"
#include "queue/broker_probe.h"
#include "store/postgres/postgres_probe.h"
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
using nlohmann::json;
using peercheck::State;
using Clock = std::chrono::steady_clock;

struct Ended {
  CommandResult result;
  Clock::duration took;
};

// Runs a daemon on `config` until it exits by itself (it must, here).
Ended RunDaemon(const std::string& program, const json& config, const std::string& dir) {
  const std::string path = dir + "/" + program + ".json";
  std::ofstream(path) << config.dump(2);
  const auto start = Clock::now();
  CommandResult r = RunCommand(
      {.argv = {std::string(CBIT_BINARY_DIR) + "/" + program, "--config", path}, .timeout = 90s});
  return {r, Clock::now() - start};
}

bool Has(const CommandResult& r, const std::string& text) {
  return r.output.find(text) != std::string::npos;
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

json WebConfig(const std::string& dir, int amqp_port) {
  return {{"web", {{"interface", "127.0.0.1"}, {"port", FreePort()}}},
          {"db", {{"backend", "sqlite"}, {"path", dir + "/cbit.db"}}},
          {"controller", {{"rabbit_url", "127.0.0.1:" + std::to_string(amqp_port)}}}};
}

TEST(PeerCheckWeb, ABrokerThatRefusesTheLoginIsAConfigurationError) {
  const std::string dir = ScratchDir("peer-web-broker");
  json config = WebConfig(dir, SharedRabbit().port());
  config["controller"]["rabbit_password"] = "not-the-password";
  Ended e = RunDaemon("cbit-web", config, dir);
  EXPECT_EQ(e.result.exit_code, 1) << e.result.output;
  EXPECT_TRUE(Has(e.result,
                  "controller.rabbit_url, rabbit_userid, rabbit_password, "
                  "rabbit_virtual_host: RabbitMQ at amqp://127.0.0.1:" +
                      std::to_string(SharedRabbit().port())))
      << e.result.output;
  EXPECT_TRUE(Has(e.result, "ACCESS_REFUSED")) << e.result.output;
}

TEST(PeerCheckWeb, AnUnknownDatabaseIsAConfigurationError) {
  const std::string dir = ScratchDir("peer-web-db");
  json config = WebConfig(dir, FreePort());
  config["db"] = {{"backend", "postgres"},
                  {"conninfo", SharedPostgres() + " dbname=cbit_no_such_database"}};
  Ended e = RunDaemon("cbit-web", config, dir);
  EXPECT_EQ(e.result.exit_code, 1) << e.result.output;
  EXPECT_TRUE(Has(e.result, "db: PostgreSQL at 127.0.0.1:")) << e.result.output;
  EXPECT_TRUE(Has(e.result, "cbit_no_such_database\" does not exist")) << e.result.output;
  EXPECT_LT(e.took, 20s) << "a refusal is not waited on";
}

TEST(PeerCheckWeb, ADatabaseThatDoesNotAnswerIsWaitedForThenNamed) {
  const std::string dir = ScratchDir("peer-web-db-down");
  const int port = FreePort();
  json config = WebConfig(dir, FreePort());
  config["db"] = {
      {"backend", "postgres"},
      {"conninfo", "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=cbit"}};
  config["controller"]["startup_wait_seconds"] = 2;
  Ended e = RunDaemon("cbit-web", config, dir);
  EXPECT_EQ(e.result.exit_code, 2) << e.result.output;
  EXPECT_TRUE(Has(e.result, "db: PostgreSQL at 127.0.0.1:" + std::to_string(port) +
                                ", database cbit, user postgres unreachable for 2 s "
                                "(controller.startup_wait_seconds)"))
      << e.result.output;
  EXPECT_GE(e.took, 2s);
}

TEST(PeerCheckWeb, ServesWithoutTheBrokerAndSaysSo) {
  WebSetup setup{ScratchDir("peer-web-nobroker"), FreePort(), FreePort()};
  WebProcess web(setup);
  EXPECT_TRUE(web.WaitForLog("serving without the broker", 5s)) << web.Log();
  EXPECT_TRUE(web.Log().find("controller.rabbit_url") != std::string::npos) << web.Log();
  EXPECT_EQ(web.Stop(), 0);
}

// The probes the daemons use, against the real controller and broker.
TEST(PeerCheckProbes, TellRefusedCredentialsFromGoodOnes) {
  const std::string dir = ScratchDir("peer-probes");
  WebSetup setup{dir, FreePort(), SharedRabbit().port()};
  WebProcess web(setup);
  const std::vector<std::string> url{Url(setup.port)};
  auto token = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv = {std::string(CBIT_BINARY_DIR) + "/cbit-web", "--db",
                                     "sqlite:" + dir + "/cbit.db", "token", "add"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunCommand({.argv = argv});
    EXPECT_TRUE(r.ok()) << r.output;
    return r.output.substr(0, r.output.find('\n'));
  };
  const std::string watcher = token({"w", "--role", "watcher"});
  const std::string builder = token({"b", "--role", "builder", "--client", "build_client_pb"});

  auto probe = [&](const std::string& t, const std::string& method, const std::string& path) {
    return http::ProbeController(url, {.token = t}, method, path, 5s);
  };
  EXPECT_EQ(probe(watcher, "PUT", "/job/0").state, State::kReady);
  EXPECT_EQ(probe("cbit_" + std::string(43, 'A'), "PUT", "/job/0").state, State::kRefused);
  EXPECT_EQ(probe(builder, "PUT", "/buildd/build_client_pb/heartbeat").state, State::kReady);
  auto other = probe(builder, "PUT", "/buildd/build_client_other/heartbeat");
  EXPECT_EQ(other.state, State::kRefused);
  EXPECT_NE(other.detail.find("HTTP 403"), std::string::npos) << other.detail;
  EXPECT_EQ(http::ProbeController({Url(FreePort())}, {}, "GET", "/", 5s).state,
            State::kUnreachable);

  queue::AmqpOptions good = SharedRabbit().options();
  EXPECT_EQ(queue::ProbeBroker(good).state, State::kReady);
  queue::AmqpOptions bad = good;
  bad.password = "wrong";
  EXPECT_EQ(queue::ProbeBroker(bad).state, State::kRefused);
  queue::AmqpOptions vhost = good;
  vhost.vhost = "/no-such-vhost";
  EXPECT_EQ(queue::ProbeBroker(vhost).state, State::kRefused);
  queue::AmqpOptions down = good;
  down.port = FreePort();
  EXPECT_EQ(queue::ProbeBroker(down).state, State::kUnreachable);

  EXPECT_EQ(store::ProbePostgres(SharedPostgres(), 5s).state, State::kReady);
  EXPECT_EQ(web.Stop(), 0);
}

// cbit-client, with a controller and broker that answer unless a test says.
class PeerCheckClient : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ScratchDir("peer-client");
    setup_ = {dir_, FreePort(), SharedRabbit().port()};
    web_ = std::make_unique<WebProcess>(setup_);
    std::ofstream(dir_ + "/dput.cf") << "";
    config_ = {{"clientid", "build_client_peer"},
               {"host_arch", HostArch()},
               {"distribution", "Debian"},
               {"suites", {"bookworm"}},
               {"buildroot", dir_ + "/build"},
               {"host", "127.0.0.1"},
               {"port", SharedRabbit().port()},
               {"userid", "guest"},
               {"password", "guest"},
               {"dput_dest", "local"},
               {"dput_config", dir_ + "/dput.cf"},
               {"builder", "host"},
               {"controller_url", Url(setup_.port)},
               {"controller_user", kAdminUser},
               {"controller_password", kAdminPassword},
               {"startup_wait_seconds", 2}};
  }
  void TearDown() override { EXPECT_EQ(web_->Stop(), 0); }

  Ended Run() { return RunDaemon("cbit-client", config_, dir_); }

  std::string dir_;
  WebSetup setup_;
  std::unique_ptr<WebProcess> web_;
  json config_;
};

TEST_F(PeerCheckClient, ABrokerThatRefusesTheLoginIsAConfigurationError) {
  config_["password"] = "not-the-password";
  Ended e = Run();
  EXPECT_EQ(e.result.exit_code, 1) << e.result.output;
  EXPECT_TRUE(Has(e.result, "host, port, vhost, userid, password: RabbitMQ at amqp://127.0.0.1:" +
                                std::to_string(SharedRabbit().port()) +
                                " (virtual host /, user guest) refused"))
      << e.result.output;
}

TEST_F(PeerCheckClient, ABrokerThatDoesNotAnswerIsWaitedForThenNamed) {
  const int port = FreePort();
  config_["port"] = port;
  Ended e = Run();
  EXPECT_EQ(e.result.exit_code, 2) << e.result.output;
  EXPECT_TRUE(Has(e.result, "host, port, vhost, userid, password: RabbitMQ at amqp://127.0.0.1:" +
                                std::to_string(port)))
      << e.result.output;
  EXPECT_TRUE(Has(e.result, "unreachable for 2 s (startup_wait_seconds)")) << e.result.output;
  EXPECT_GE(e.took, 2s);
}

TEST_F(PeerCheckClient, ATokenTheControllerRefusesIsAConfigurationError) {
  config_.erase("controller_user");
  config_.erase("controller_password");
  config_["token"] = "cbit_" + std::string(43, 'B');
  Ended e = Run();
  EXPECT_EQ(e.result.exit_code, 1) << e.result.output;
  EXPECT_TRUE(Has(e.result, "controller_url, token: the controller at " + Url(setup_.port) +
                                " refused: PUT " + Url(setup_.port) +
                                "/buildd/build_client_peer/heartbeat: HTTP 401"))
      << e.result.output;
}

TEST_F(PeerCheckClient, AControllerThatDoesNotAnswerIsWaitedForThenNamed) {
  const std::string url = Url(FreePort());
  config_["controller_url"] = url;
  Ended e = Run();
  EXPECT_EQ(e.result.exit_code, 2) << e.result.output;
  EXPECT_TRUE(Has(e.result,
                  "controller_url, controller_user, controller_password: the "
                  "controller at " +
                      url + " unreachable for 2 s (startup_wait_seconds)"))
      << e.result.output;
}

TEST(PeerCheckWatcher, ACredentialTheControllerRefusesIsAConfigurationError) {
  const std::string dir = ScratchDir("peer-watcher");
  WebSetup setup{dir, FreePort(), FreePort()};
  WebProcess web(setup);
  std::filesystem::create_directories(dir + "/incoming");
  std::filesystem::create_directories(dir + "/repo/conf");
  json config = {{"rules", {{dir + "/incoming", {{"repobase", dir + "/repo"}, {"rule", "cbit"}}}}},
                 {"controller_url", Url(setup.port)},
                 {"controller_user", kAdminUser},
                 {"controller_password", "not-the-password"}};
  Ended e = RunDaemon("cbit-watcher", config, dir);
  EXPECT_EQ(e.result.exit_code, 1) << e.result.output;
  EXPECT_TRUE(Has(e.result,
                  "controller_url, controller_user, controller_password: the "
                  "controller at " +
                      Url(setup.port) + " refused: PUT " + Url(setup.port) + "/job/0: HTTP 401"))
      << e.result.output;
  EXPECT_EQ(web.Stop(), 0);
}

}  // namespace
}  // namespace cbit::testing
