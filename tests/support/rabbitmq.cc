#include "tests/support/rabbitmq.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <stdexcept>

#include "tests/support/fixture.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

const std::string kScript = std::string(CBIT_SOURCE_DIR) + "/scripts/rabbitmq-node.sh";
constexpr int kPortBusy = 3;  // the script's exit status when a port is taken

bool PortFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

// The script derives epmd (+10000) and distribution (+20000) ports from the
// AMQP port; 20000-25000 keeps all three below rabbitmqctl's 35672 range.
int PickPort() {
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 24999);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int port = dist(rng);
    if (PortFree(port) && PortFree(port + 10000) && PortFree(port + 20000)) return port;
  }
  throw std::runtime_error("rabbitmq: no free port triple found");
}

void StopNode(const std::string& dir) {
  RunCommand({.argv = {kScript, "stop", dir}, .timeout = std::chrono::seconds(90)});
}

}  // namespace

RabbitNode::RabbitNode() : dir_(ScratchDir("rabbitmq")) {
  // By directory, not by `this`: the hook may outlive the object. The
  // messages go too (a benchmark leaves hundreds of MB of them); the logs
  // stay.
  AtTestExit([dir = dir_] {
    StopNode(dir);
    std::error_code ignored;
    std::filesystem::remove_all(dir + "/mnesia", ignored);
  });
}

RabbitNode::~RabbitNode() { Stop(); }

void RabbitNode::Start() {
  if (running_) return;
  bool fixed_port = port_ != 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!fixed_port) port_ = PickPort();
    // The owner pid makes the script stop the node even if this binary
    // crashes before its exit hooks run.
    CommandResult r = RunCommand({.argv = {kScript, "start", dir_, std::to_string(port_)},
                                  .env = {"CBIT_OWNER_PID=" + std::to_string(::getpid())},
                                  .timeout = std::chrono::seconds(120)});
    if (r.ok()) {
      running_ = true;
      return;
    }
    // Another process may take a port between our check and the start.
    if (r.exit_code != kPortBusy || fixed_port)
      throw std::runtime_error("rabbitmq node did not start:\n" + r.output);
  }
  throw std::runtime_error("rabbitmq: every port tried was taken");
}

void RabbitNode::Stop() {
  if (!running_) return;
  StopNode(dir_);
  running_ = false;
}

void RabbitNode::Restart() {
  Stop();
  Start();
}

queue::AmqpOptions RabbitNode::options() const {
  queue::AmqpOptions opts;
  opts.host = "127.0.0.1";
  opts.port = port_;
  opts.deadline = std::chrono::milliseconds(3000);
  return opts;
}

RabbitNode& SharedRabbit() {
  static RabbitNode* node = [] {
    auto* n = new RabbitNode();  // never destroyed: the exit hook stops it
    n->Start();
    return n;
  }();
  return *node;
}

}  // namespace cbit::testing
