// The schema as numbered migrations, applied in order to bring any database
// (new, or an existing pyBit one) up to the newest version. The DDL is shared
// by both backends except for a few macros that each backend declares (capabilities.h).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/capabilities.h"

namespace cbit::store {

class Connection;

struct Migration {
  int version;
  std::string_view what;  ///< one line for logs
  std::string_view ddl;   ///< statements with {{macros}}
  /// Fills what the new columns hold for existing rows, in the migration's
  /// transaction after its DDL; nullptr: nothing to fill.
  std::int64_t (*fill)(Connection&) = nullptr;
};

/// Every migration, in ascending version order (1, 2, …).
std::span<const Migration> Migrations();

/// The version after every migration ran.
int LatestSchemaVersion();

/// Expands the DDL macros with the backend's declared DDL:
///   {{id}}                  an auto-numbered primary key
///   {{nulls_not_distinct}}  NULLs equal on a unique index (PostgreSQL's
///                           NULLS NOT DISTINCT)
///   {{bytewise}}            a text column's collation comparing bytes
///                           (PostgreSQL's COLLATE "C"; SQLite's default)
std::string ExpandDdl(std::string_view ddl, const Capabilities& backend);

}  // namespace cbit::store
