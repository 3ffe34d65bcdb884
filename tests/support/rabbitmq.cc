#include "tests/support/rabbitmq.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/support/fixture.h"
#include "tests/support/ports.h"
#include "util/subprocess.h"

namespace cbit::testing {
namespace {

const std::string kScript = std::string(CBIT_SOURCE_DIR) + "/scripts/rabbitmq-node.sh";
constexpr int kPortBusy = 3;  // the script's exit status when a port is taken

// The script derives epmd (+10000) and distribution (+20000) ports from the
// AMQP port; 20000-25000 keeps all three below rabbitmqctl's 35672 range.
int PickPort() {
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 24999);
  for (int attempt = 0; attempt < 100; ++attempt) {
    int port = dist(rng);
    if (PortFree(port) && PortFree(port + 10000) && PortFree(port + 20000) && ReservePort(port) &&
        ReservePort(port + 10000) && ReservePort(port + 20000))
      return port;
  }
  throw std::runtime_error("rabbitmq: no free port triple found");
}

void StopNode(const std::string& dir) {
  RunCommand({.argv = {kScript, "stop", dir}, .timeout = std::chrono::seconds(90)});
}

}  // namespace

RabbitNode::RabbitNode() : RabbitNode(ScratchDir("rabbitmq")) {}

RabbitNode::RabbitNode(std::string dir) : dir_(std::move(dir)) {
  // By directory, not by `this`: the hook may outlive the object. The
  // messages go too (a benchmark leaves hundreds of MB of them); the logs
  // stay while a failed test may need them (tests/support/fixture.h).
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
  std::string errors;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!fixed_port) port_ = PickPort();
    // The owner pid makes the script stop the node even if this binary
    // crashes before its exit hooks run.
    std::vector<std::string> env = {"CBIT_OWNER_PID=" + std::to_string(::getpid())};
    if (epmd_port_) env.push_back("CBIT_EPMD_PORT=" + std::to_string(epmd_port_));
    CommandResult r = RunCommand({.argv = {kScript, "start", dir_, std::to_string(port_)},
                                  .env = env,
                                  .timeout = std::chrono::seconds(120)});
    if (r.ok()) {
      running_ = true;
      return;
    }
    // A process outside the tests may take a port between our check and the
    // start (the node cannot bind it, or the script finds it busy): new ports.
    errors += r.output;
    if (fixed_port || (r.exit_code != kPortBusy && attempt >= 2))
      throw std::runtime_error("rabbitmq node did not start:\n" + errors);
  }
  throw std::runtime_error("rabbitmq: every port tried was taken:\n" + errors);
}

void RabbitNode::Stop() {
  if (!running_) return;
  StopNode(dir_);
  running_ = false;
}

void RabbitNode::Kill() {
  if (!running_) return;
  std::ifstream pid_file(dir_ + "/rabbitmq.pid");
  pid_t beam = 0;
  if (pid_file >> beam && beam > 0) {
    ::kill(beam, SIGKILL);
    // The VM is not our child: wait for /proc to forget it.
    for (int i = 0; i < 100 && ::kill(beam, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
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
    // Never destroyed: the exit hook stops it. Its directory outlives the
    // test that first asked for it.
    auto* n = new RabbitNode(ProgramScratchDir("rabbitmq"));
    n->Start();
    return n;
  }();
  return *node;
}

}  // namespace cbit::testing
