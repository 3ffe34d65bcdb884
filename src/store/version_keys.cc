#include "store/version_keys.h"

#include "core/debian.h"
#include "store/db.h"

namespace cbit::store {

std::int64_t FillVersionKeys(Connection& c) {
  // The partial index package_version_key_missing_idx finds them.
  Result r = c.Exec("SELECT id, version FROM package WHERE version_key IS NULL ORDER BY id");
  for (std::size_t i = 0; i < r.rows(); ++i) {
    c.Defer("UPDATE package SET version_key = $1 WHERE id = $2",
            {debian::VersionSortKey(r.text(i, 1)), r.i64(i, 0)});
  }
  return static_cast<std::int64_t>(r.rows());
}

}  // namespace cbit::store
