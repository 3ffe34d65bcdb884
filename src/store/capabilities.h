// What a database backend can do, declared by the backend itself: the store
// and the controller ask for a capability (can other processes hear a
// NOTIFY? is a commit a disk sync under one write lock?), never which
// backend it is, so a third backend declares its answers in one place.
#pragma once

#include <string_view>

namespace cbit::store {

/// How the store reserves job ids before inserting the jobs.
enum class JobIdSource {
  kSequence,             ///< nextval() of the id column's sequence
  kAutoincrementCounter  ///< past the highest id ever given, under the write lock
};

struct Capabilities {
  /// For messages and logs only; never compared.
  std::string_view name;
  /// Other processes hear what a transaction announces on a channel
  /// (LISTEN/NOTIFY): controllers sharing the database drop each other's
  /// changed jobs from their caches.
  bool listen_notify = false;
  /// A commit is a disk sync taken under the one write lock of the database:
  /// concurrent writers are batched into one transaction (GroupCommitter).
  bool group_commit = false;
  /// Statements travel to a server and back: while one batch of
  /// submissions waits for it, a relay thread keeps the next one going.
  bool server_round_trips = false;
  /// The query planner plans from statistics that go stale while tables
  /// grow: the store refreshes them (upkeep) and pins a submission's plans to
  /// index lookups.
  bool planner_statistics = false;
  JobIdSource job_ids = JobIdSource::kAutoincrementCounter;
  /// Counts the tables named $1 in the current schema.
  std::string_view table_exists_sql;
  /// DDL: an auto-numbered primary key column ({{id}}), never reusing a
  /// deleted row's id.
  std::string_view ddl_auto_id;
  /// DDL: what a unique index over nullable columns needs so that NULLs
  /// compare equal ({{nulls_not_distinct}}; "" where writers are serialised).
  std::string_view ddl_nulls_not_distinct;
  /// DDL: the collation of a text column compared byte by byte whatever the
  /// database's locale ({{bytewise}}; "" where that is the default).
  std::string_view ddl_bytewise;
  /// For reading the job history in id order (GET /events) where
  /// concurrent writers commit ids out of order: the oldest transaction
  /// still running (xmin), and a transaction number of the reader's own,
  /// newer than every transaction that had begun writing before it. ""
  /// where writers are serialised, so that an id missing below the newest
  /// committed one can never appear later.
  std::string_view history_xmin_sql;
  std::string_view history_mark_sql;
};

/// The answers of the two backends (sqlite/, postgres/).
const Capabilities& SqliteCapabilities();
const Capabilities& PostgresCapabilities();

}  // namespace cbit::store
