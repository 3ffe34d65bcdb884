// The farm on a 3-node RabbitMQ cluster with quorum queues: cbit-web and a
// dry-run client, each configured with every node, keep building when the
// node they are connected to is killed; the killed node, restarted, rejoins.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "tests/support/client_process.h"
#include "tests/support/controller_harness.h"
#include "tests/support/debpkg.h"
#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "tests/support/rabbitmq_cluster.h"
#include "tests/support/web_process.h"

namespace cbit::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSuite = "cluster";

std::vector<std::string> Statuses(httplib::Client& c, Id job) {
  std::vector<std::string> out;
  auto r = c.Get("/job/" + std::to_string(job) + "/status");
  if (!r || r->status != 200) return out;
  for (const auto& h : nlohmann::json::parse(r->body)) out.push_back(h.at("status"));
  return out;
}

bool WaitUntil(const std::function<bool()>& pred, std::chrono::seconds deadline) {
  for (auto until = std::chrono::steady_clock::now() + deadline;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(200ms)) {
    if (pred()) return true;
  }
  return pred();
}

TEST(RabbitCluster, AJobIsBuiltOnceAfterTheNodeTheFarmUsesIsKilled) {
  RabbitCluster cluster(3);
  ASSERT_EQ(cluster.RunningNodes(0).size(), 3u);
  const std::string dir = ScratchDir("cluster-farm");
  const auto nodes = cluster.addresses();
  WebSetup web{dir, FreePort(), cluster.node(0).port()};
  web.controller = {{"rabbit_url", nodes}, {"queue_type", "quorum"}};
  WebProcess controller(web);
  httplib::Client admin("127.0.0.1", web.port);
  admin.set_basic_auth(kAdminUser, kAdminPassword);
  AddHostTarget(admin, kSuite);
  ClientSetup setup;
  setup.clientid = "build_client_cluster";
  setup.suites = {kSuite};
  setup.controller_port = web.port;
  setup.dry_run = true;
  setup.incoming = dir + "/incoming";
  setup.extra_config = nlohmann::json{{"host", nodes}, {"queue_type", "quorum"}}.dump();
  ClientProcess client(setup);
  const std::string first_node = "connected to amqp://" + nodes[0];
  ASSERT_TRUE(client.WaitForLog(first_node + ";", 60s)) << client.Log();

  Id before = SubmitFromNowhere(admin, "hello-cluster-1", kSuite);
  ASSERT_NE(before, 0);
  ASSERT_TRUE(WaitUntil([&] { return Statuses(admin, before).back() == "Done"; }, 60s))
      << client.Log() << controller.Log();
  const std::string build_queue = "Debian_" + HostArch() + "_" + kSuite + "_deb";
  std::string queues = RabbitCtl(cluster.node(1), {"list_queues", "name", "type"});
  EXPECT_NE(queues.find(build_queue + "\tquorum"), std::string::npos) << queues;

  cluster.node(0).Kill();
  Id after = SubmitFromNowhere(admin, "hello-cluster-2", kSuite);
  ASSERT_NE(after, 0);
  ASSERT_TRUE(WaitUntil([&] { return Statuses(admin, after).back() == "Done"; }, 90s))
      << client.Log() << controller.Log();
  EXPECT_EQ(Statuses(admin, after), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  EXPECT_EQ(Statuses(admin, before), (std::vector<std::string>{"Waiting", "Building", "Done"}));
  // Both went on with another node of the cluster.
  EXPECT_TRUE(client.WaitForLog("connected to amqp://" + nodes[1], 1s) ||
              client.WaitForLog("connected to amqp://" + nodes[2], 1s))
      << client.Log();
  EXPECT_TRUE(controller.WaitForLog("connected to the next broker", 1s)) << controller.Log();

  cluster.node(0).Start();
  EXPECT_TRUE(WaitUntil([&] { return cluster.RunningNodes(1).size() == 3; }, 60s));
  // Nothing left behind in any queue.
  std::string counts = RabbitCtl(
      cluster.node(0), {"list_queues", "--no-table-headers", "--quiet", "name", "messages"});
  std::istringstream lines(counts);
  for (std::string name, messages; lines >> name >> messages;) EXPECT_EQ(messages, "0") << name;
  EXPECT_EQ(client.Stop(), 0) << client.Log();
}

}  // namespace
}  // namespace cbit::testing
