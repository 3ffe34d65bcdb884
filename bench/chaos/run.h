// One fault-injection run: the farm through `jobs` jobs while the injector
// strikes, then the checks, and the counts printed.
#pragma once

#include <cstdint>
#include <string>

namespace cbit::chaos {

struct RunOptions {
  int jobs = 200;
  std::uint64_t seed = 0;
  std::string backend = "sqlite";
  int duration_seconds = 170;  ///< every job final within this, from the start
  int clients = 3;
  int lease_seconds = 4;
  double min_gap_seconds = 1, max_gap_seconds = 5;
  bool faults = true;  ///< false: the same run without a single fault
  /// A 3-node RabbitMQ cluster with quorum queues instead of one node.
  bool rabbit_cluster = false;
  /// cbit-web processes on one PostgreSQL database (more than 1: postgres only).
  int controllers = 1;
};

/// Runs it and prints the report on stdout; 0 when every check passed, 1
/// when one failed. Throws when the farm cannot start.
int RunChaos(const RunOptions& options);

}  // namespace cbit::chaos
