// The rows the live event stream (GET /events, src/events) is made of. A
// job's status change is a row of its history (jobstatus): that row's id is
// the event's id, so every controller on the database numbers events alike
// and a stream resumes from any of them, at no cost to the writers. Build
// clients' state (last heard from, the job each builds) is read whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "store/db.h"

namespace cbit::store {

/// One row of a job's history, with what a dashboard shows of the job.
struct JobEvent {
  Id id = 0;  ///< the history row's id
  Id job_id = 0;
  bool created = false;  ///< the job's first history row
  std::string status, package, version, arch, dist, suite, format;
  std::optional<std::string> buildenv;
  std::optional<std::string> client;  ///< the job's build client when read
  std::optional<std::string> reason;
  std::int64_t time_us = 0;
};

/// Transaction numbers around a read (Capabilities::history_xmin_sql and
/// history_mark_sql): every transaction older than xmin_before had ended
/// before the read; every transaction that had written a history row by the
/// read is older than xmax_after (the reader's own, taken after the rows).
/// This holds because every writer changes the job row before adding to its
/// history, so it has its transaction number before its history row's id.
struct SnapshotBounds {
  std::uint64_t xmin_before = 0;
  std::uint64_t xmax_after = 0;
};

struct JobEventBatch {
  std::vector<JobEvent> events;  ///< ascending ids
  /// nullopt: writers are serialised, so an id missing below the newest
  /// read can never appear later.
  std::optional<SnapshotBounds> bounds;
};

/// A build client as the events show it.
struct ClientState {
  Id id = 0;
  std::string name;
  std::optional<std::int64_t> last_heard_us;
  std::optional<Id> job;  ///< the job it holds Building
  bool operator==(const ClientState&) const = default;
};

class EventRows {
 public:
  explicit EventRows(Database& db) : db_(db) {}
  /// History rows with an id above `after`, at most `limit`, in one round
  /// trip with the snapshot's bounds where the database has them.
  JobEventBatch JobEventsAfter(Id after, int limit);
  /// The highest history row id (0: none).
  Id LatestJobEvent();
  /// Every build client, by id.
  std::vector<ClientState> ClientStates();

 private:
  Database& db_;
};

}  // namespace cbit::store
