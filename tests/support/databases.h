// An empty database on either backend, for tests that run on both.
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace cbit::testing {

/// "sqlite": a new file under a scratch directory; "postgres": a new
/// database on the shared cluster (tests/support/postgres.h).
std::unique_ptr<store::Database> OpenTestDatabase(const std::string& backend);

}  // namespace cbit::testing
