// A fresh, empty database of either backend for one test.
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace cbit::testing {

/// "sqlite": a new file in a scratch dir; "postgres": a new database in the
/// shared test cluster (started on first use).
std::unique_ptr<store::Database> OpenTestDatabase(const std::string& backend);

}  // namespace cbit::testing
