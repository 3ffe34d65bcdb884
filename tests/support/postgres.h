// A PostgreSQL cluster for the integration tests: one per test run, started
// on first use (scripts/pg-cluster.sh) and stopped when the run ends.
#pragma once

#include <string>

namespace cbit::testing {

/// A PostgreSQL cluster of its own in `dir`, for a program that kills and
/// restarts it (the shared one above is never restarted). Stopped when the
/// program ends (AtTestExit).
class PostgresCluster {
 public:
  explicit PostgresCluster(std::string dir);
  /// Starts the cluster (on a free port the first time, then on the same
  /// one) and returns the conninfo of its database `cbit`. Throws
  /// std::runtime_error when it cannot.
  std::string Start();
  /// SIGKILL to the postmaster; its backends end when they notice, and the
  /// next Start runs crash recovery.
  void Kill();
  /// A fast shutdown; waits for it.
  void Stop();
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int port_ = 0;
};

/// The libpq conninfo of the run's cluster (database `cbit`), starting the
/// cluster on first call. Throws std::runtime_error when it cannot start.
const std::string& SharedPostgres();

/// Creates a new, empty database on the shared cluster and returns its
/// conninfo, so that tests never see each other's rows.
std::string FreshPostgresDatabase();

}  // namespace cbit::testing
