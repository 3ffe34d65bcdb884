#include "store/event_rows.h"

#include <charconv>

#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::Query;

// The client is the job's now, as in GET /job/<id>/status.
constexpr std::string_view kJobEventsAfter =
    "SELECT js.id, js.job_id, st.name, js.time, js.reason, bc.name, p.name, p.version,"
    " a.name, d.name, s.name, f.name, be.name,"
    " NOT EXISTS (SELECT 1 FROM jobstatus e WHERE e.job_id = js.job_id AND e.id < js.id)"
    " FROM jobstatus js JOIN status st ON st.id = js.status_id JOIN job j ON j.id = js.job_id"
    " JOIN packageinstance pi ON pi.id = j.packageinstance_id"
    " JOIN package p ON p.id = pi.package_id JOIN arch a ON a.id = pi.arch_id"
    " JOIN distribution d ON d.id = pi.dist_id JOIN suite s ON s.id = pi.suite_id"
    " JOIN format f ON f.id = pi.format_id LEFT JOIN buildenv be ON be.id = pi.buildenv_id"
    " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"
    " WHERE js.id > $1 ORDER BY js.id LIMIT $2";
constexpr std::string_view kLatestJobEvent = "SELECT COALESCE(max(id), 0) FROM jobstatus";
// Polled every second while a stream is open: the few Building jobs are
// found through the status index. The unary + keeps SQLite off the client
// index, which would read every job each client ever built.
constexpr std::string_view kClientStates =
    "SELECT c.id, c.name, c.last_heard, j.id FROM buildclients c"
    " LEFT JOIN job j ON +j.buildclient_id = c.id"
    " AND j.status_id = (SELECT id FROM status WHERE name = 'Building')"
    " ORDER BY c.id, j.id";

std::optional<std::string> OptText(const Result& r, std::size_t row, std::size_t col) {
  if (r.null(row, col)) return std::nullopt;
  return r.text(row, col);
}

JobEvent JobEventAt(const Result& r, std::size_t i) {
  JobEvent e;
  e.id = r.i64(i, 0);
  e.job_id = r.i64(i, 1);
  e.status = r.text(i, 2);
  e.time_us = r.i64(i, 3);
  e.reason = OptText(r, i, 4);
  e.client = OptText(r, i, 5);
  e.package = r.text(i, 6);
  e.version = r.text(i, 7);
  e.arch = r.text(i, 8);
  e.dist = r.text(i, 9);
  e.suite = r.text(i, 10);
  e.format = r.text(i, 11);
  e.buildenv = OptText(r, i, 12);
  e.created = r.boolean(i, 13);
  return e;
}

std::uint64_t TransactionNumber(const Result& r, std::size_t col) {
  std::string_view v = r.view(0, col);
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size())
    throw DbError(DbErrorKind::kOther, "unexpected transaction number '" + std::string(v) + "'");
  return n;
}

}  // namespace

JobEventBatch EventRows::JobEventsAfter(Id after, int limit) {
  const Capabilities& caps = db_.capabilities();
  const bool bounded = !caps.history_xmin_sql.empty();
  std::vector<Statement> statements;
  if (bounded) statements.push_back({std::string(caps.history_xmin_sql), {}});
  statements.push_back({std::string(kJobEventsAfter), {after, std::int64_t{limit}}});
  // After the rows: the reader's own transaction number is taken then.
  if (bounded) statements.push_back({std::string(caps.history_mark_sql), {}});
  std::vector<Result> r = detail::QueryAll(db_, statements);
  JobEventBatch batch;
  const Result& rows = bounded ? r[1] : r[0];
  batch.events.reserve(rows.rows());
  for (std::size_t i = 0; i < rows.rows(); ++i) batch.events.push_back(JobEventAt(rows, i));
  if (bounded)
    batch.bounds = SnapshotBounds{TransactionNumber(r[0], 0), TransactionNumber(r[2], 0)};
  return batch;
}

Id EventRows::LatestJobEvent() { return Query(db_, kLatestJobEvent).i64(0, 0); }

std::vector<ClientState> EventRows::ClientStates() {
  Result r = Query(db_, kClientStates);
  std::vector<ClientState> out;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    const Id id = r.i64(i, 0);
    if (out.empty() || out.back().id != id) out.push_back({id, r.text(i, 1), r.opt_i64(i, 2), {}});
    if (!r.null(i, 3)) out.back().job = r.i64(i, 3);
  }
  return out;
}

}  // namespace cbit::store
