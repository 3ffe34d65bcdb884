// Each package row's version as a sort key (core/debian.h VersionSortKey),
// which job pages sorted by version read in index order. Rows get theirs
// when they are inserted; FillVersionKeys gives one to rows without: those
// of a database migrated to schema 13, and those an older controller
// sharing the database inserts during a rolling upgrade.
#pragma once

#include <cstdint>

namespace cbit::store {

class Connection;

/// Sets version_key where it is NULL; returns how many rows it set.
std::int64_t FillVersionKeys(Connection& c);

}  // namespace cbit::store
