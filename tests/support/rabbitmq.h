// A private RabbitMQ node for integration tests, run by
// scripts/rabbitmq-node.sh in a scratch directory on free ports and stopped
// when the test binary ends, whatever the tests did.
#pragma once

#include <string>

#include "queue/publisher.h"

namespace cbit::testing {

class RabbitNode {
 public:
  /// Chooses a scratch directory (the running test's); nothing runs until
  /// Start.
  RabbitNode();
  /// Runs the node in `dir`.
  explicit RabbitNode(std::string dir);
  /// Stops the node if it still runs.
  ~RabbitNode();
  RabbitNode(const RabbitNode&) = delete;
  RabbitNode& operator=(const RabbitNode&) = delete;

  /// Starts the node on free ports (the first time) or on its old port
  /// (after Stop), keeping durable queues. Throws std::runtime_error.
  void Start();
  /// Stops the node and its epmd; idempotent.
  void Stop();
  /// Stop, then Start: same port, same state.
  void Restart();
  /// SIGKILL to the node's Erlang VM (no shutdown of its own), then the rest
  /// of Stop (epmd, the guard); Start brings it back with its durable state.
  void Kill();

  /// Find other nodes through the epmd on `port` (a cluster's,
  /// rabbitmq_cluster.h) instead of starting one of its own; before Start.
  void UseEpmd(int port) { epmd_port_ = port; }
  /// The Erlang node name, e.g. cbit-21234@localhost (once started).
  std::string node_name() const { return "cbit-" + std::to_string(port_) + "@localhost"; }
  /// The AMQP port on 127.0.0.1.
  int port() const { return port_; }
  /// The node's directory (scripts/rabbitmq-node.sh ctl DIR …).
  const std::string& dir() const { return dir_; }
  /// Options for reaching this node (exchange "pybit", short deadline).
  queue::AmqpOptions options() const;

 private:
  std::string dir_;
  int port_ = 0;
  int epmd_port_ = 0;  ///< 0: its own
  bool running_ = false;
};

/// One node per test binary, started on first use.
RabbitNode& SharedRabbit();

}  // namespace cbit::testing
