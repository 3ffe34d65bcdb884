#include "tests/support/databases.h"

#include <stdexcept>

#include "tests/support/fixture.h"
#include "tests/support/postgres.h"

namespace cbit::testing {

std::unique_ptr<store::Database> OpenTestDatabase(const std::string& backend) {
  if (backend == "sqlite") return store::OpenSqlite({.path = ScratchDir("sqlite") + "/cbit.db"});
  if (backend == "postgres") return store::OpenPostgres({.conninfo = FreshPostgresDatabase()});
  throw std::invalid_argument("unknown backend " + backend);
}

}  // namespace cbit::testing
