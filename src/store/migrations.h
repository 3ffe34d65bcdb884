// The schema as numbered migrations, applied in order to bring any database
// (new, or an existing pyBit one) up to the newest version. The DDL is shared
// by both backends except for a few macros expanded per dialect.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace cbit::store {

struct Migration {
  int version;
  std::string_view what;  ///< one line for logs
  std::string_view ddl;   ///< statements with {{macros}}
};

/// Every migration, in ascending version order (1, 2, …).
std::span<const Migration> Migrations();

/// The version after every migration ran.
int LatestSchemaVersion();

/// Expands the DDL macros for "sqlite" or "postgres":
///   {{id}}                  an auto-numbered primary key
///   {{nulls_not_distinct}}  PostgreSQL's NULLS NOT DISTINCT on a unique index
std::string ExpandDdl(std::string_view ddl, std::string_view dialect);

}  // namespace cbit::store
