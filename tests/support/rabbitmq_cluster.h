// A RabbitMQ cluster of private nodes on this machine for integration tests:
// three RabbitNodes (rabbitmq.h) with distinct names and ports, one Erlang
// cookie and one epmd of their own, joined with `rabbitmqctl join_cluster`,
// all stopped (epmd last) when the cluster goes or the test binary ends.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "queue/publisher.h"
#include "tests/support/rabbitmq.h"

namespace cbit::testing {

class RabbitCluster {
 public:
  /// Starts `nodes` nodes in a scratch directory of the running test and
  /// joins the others to node(0). Throws std::runtime_error.
  explicit RabbitCluster(int nodes = 3);
  /// The same in `dir` (a program's, e.g. cbit-chaos's run directory).
  RabbitCluster(int nodes, std::string dir);
  /// Stops every node, then the epmd.
  ~RabbitCluster();
  RabbitCluster(const RabbitCluster&) = delete;
  RabbitCluster& operator=(const RabbitCluster&) = delete;

  RabbitNode& node(std::size_t i) { return *nodes_.at(i); }
  std::size_t size() const { return nodes_.size(); }
  /// "127.0.0.1:PORT" of every node, node(0) first.
  std::vector<std::string> addresses() const;
  /// Options reaching every node (node(0) first) with quorum queues.
  queue::AmqpOptions options() const;
  /// The names of the nodes node(i) sees running in its cluster.
  std::vector<std::string> RunningNodes(std::size_t i);
  /// Starts node(i) again (after Kill or Stop) and waits until it runs in
  /// the cluster with every other node; throws at `deadline`.
  void Rejoin(std::size_t i, std::chrono::seconds deadline);

 private:
  void Join(RabbitNode& n, const RabbitNode& to);

  std::string dir_;
  int epmd_port_ = 0;
  std::vector<std::unique_ptr<RabbitNode>> nodes_;
};

/// Runs rabbitmqctl ARGS against node `n`; its output. Throws
/// std::runtime_error when it fails.
std::string RabbitCtl(const RabbitNode& n, const std::vector<std::string>& args);

}  // namespace cbit::testing
