// The schema as numbered migrations, applied in order to bring any database
// (new, or an existing pyBit one) up to the newest version. The DDL is shared
// by both backends except for a few macros that each backend declares (capabilities.h).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "store/capabilities.h"

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

/// Expands the DDL macros with the backend's declared DDL:
///   {{id}}                  an auto-numbered primary key
///   {{nulls_not_distinct}}  NULLs equal on a unique index (PostgreSQL's
///                           NULLS NOT DISTINCT)
std::string ExpandDdl(std::string_view ddl, const Capabilities& backend);

}  // namespace cbit::store
