// A PostgreSQL cluster for the integration tests: one per test run, started
// on first use (scripts/pg-cluster.sh) and stopped when the run ends.
#pragma once

#include <string>

namespace cbit::testing {

/// The libpq conninfo of the run's cluster (database `cbit`), starting the
/// cluster on first call. Throws std::runtime_error when it cannot start.
const std::string& SharedPostgres();

/// Creates a new, empty database on the shared cluster and returns its
/// conninfo, so that tests never see each other's rows.
std::string FreshPostgresDatabase();

}  // namespace cbit::testing
