#include "tests/support/rabbitmq_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

const std::string kScript = std::string(CBIT_SOURCE_DIR) + "/scripts/rabbitmq-node.sh";

void StopDir(const std::string& dir) {
  RunCommand({.argv = {kScript, "stop", dir}, .timeout = std::chrono::seconds(90)});
}

// A port for epmd outside rabbitmqctl's own range (35672-35682).
int EpmdPort() {
  for (;;) {
    int port = FreePort();
    if (port < 35672 || port > 35682) return port;
  }
}

// Nodes join a cluster only when they hold the same cookie.
void WriteCookie(const std::string& dir, const std::string& cookie) {
  std::filesystem::create_directories(dir);
  std::string path = dir + "/.erlang.cookie";
  std::ofstream(path) << cookie;
  ::chmod(path.c_str(), 0400);
}

std::string NewCookie() {
  std::random_device rd;
  std::string cookie;
  for (int i = 0; i < 32; ++i) cookie += "abcdefghijklmnopqrstuvwxyz"[rd() % 26];
  return cookie;
}

}  // namespace

std::string RabbitCtl(const RabbitNode& n, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kScript, "ctl", n.dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunCommand({.argv = argv, .timeout = std::chrono::seconds(120)});
  if (!r.ok()) throw std::runtime_error("rabbitmqctl " + args.front() + ": " + r.output);
  return r.output;
}

RabbitCluster::RabbitCluster(int nodes) : RabbitCluster(nodes, ScratchDir("rabbitmq-cluster")) {}

RabbitCluster::RabbitCluster(int nodes, std::string dir) : dir_(std::move(dir)) {
  const std::string epmd_dir = dir_ + "/epmd";
  // Registered first, so it runs after the nodes' own hooks have stopped them.
  AtTestExit([epmd_dir] { StopDir(epmd_dir); });
  epmd_port_ = EpmdPort();
  CommandResult r = RunCommand({.argv = {kScript, "epmd", epmd_dir, std::to_string(epmd_port_)},
                                .env = {"CBIT_OWNER_PID=" + std::to_string(::getpid())},
                                .timeout = std::chrono::seconds(30)});
  if (!r.ok()) throw std::runtime_error("epmd did not start: " + r.output);
  const std::string cookie = NewCookie();
  for (int i = 0; i < nodes; ++i) {
    std::string dir = dir_ + "/node" + std::to_string(i);
    WriteCookie(dir, cookie);
    nodes_.push_back(std::make_unique<RabbitNode>(dir));
    nodes_.back()->UseEpmd(epmd_port_);
    nodes_.back()->Start();
  }
  for (std::size_t i = 1; i < nodes_.size(); ++i) Join(*nodes_[i], *nodes_[0]);
}

RabbitCluster::~RabbitCluster() {
  for (auto& n : nodes_) n->Stop();
  StopDir(dir_ + "/epmd");
}

void RabbitCluster::Join(RabbitNode& n, const RabbitNode& to) {
  RabbitCtl(n, {"stop_app"});
  RabbitCtl(n, {"join_cluster", to.node_name()});
  RabbitCtl(n, {"start_app"});
}

std::vector<std::string> RabbitCluster::addresses() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back("127.0.0.1:" + std::to_string(n->port()));
  return out;
}

queue::AmqpOptions RabbitCluster::options() const {
  queue::AmqpOptions o = nodes_.front()->options();
  for (std::size_t i = 1; i < nodes_.size(); ++i)
    o.more_addresses.push_back({"127.0.0.1", nodes_[i]->port()});
  o.queue_type = queue::QueueType::kQuorum;
  return o;
}

std::vector<std::string> RabbitCluster::RunningNodes(std::size_t i) {
  auto status = nlohmann::json::parse(
      RabbitCtl(*nodes_.at(i), {"cluster_status", "--formatter", "json"}), nullptr, false);
  if (status.is_discarded() || !status.contains("running_nodes")) return {};
  return status["running_nodes"].get<std::vector<std::string>>();
}

void RabbitCluster::Rejoin(std::size_t i, std::chrono::seconds deadline) {
  nodes_.at(i)->Start();
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::string why = "not every node runs";
    try {
      if (RunningNodes(i).size() == nodes_.size()) return;
    } catch (const std::runtime_error& e) {
      why = e.what();  // rabbitmqctl could not ask it yet
    }
    if (std::chrono::steady_clock::now() >= until)
      throw std::runtime_error("node " + nodes_[i]->node_name() +
                               " did not rejoin its cluster: " + why);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace cbit::testing
