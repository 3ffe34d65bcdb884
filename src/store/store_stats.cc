// Store: the figures GET /metrics shows, each one query.
#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

// Grouped by ids (the job table's indexes), the names joined to the few
// groups afterwards.
constexpr std::string_view kJobCounts =
    "SELECT st.name, d.name, a.name, s.name, f.name, g.jobs FROM"
    " (SELECT j.status_id, pi.dist_id, pi.arch_id, pi.suite_id, pi.format_id, count(*) AS jobs"
    "  FROM job j JOIN packageinstance pi ON pi.id = j.packageinstance_id"
    "  GROUP BY j.status_id, pi.dist_id, pi.arch_id, pi.suite_id, pi.format_id) g"
    " LEFT JOIN status st ON st.id = g.status_id JOIN distribution d ON d.id = g.dist_id"
    " JOIN arch a ON a.id = g.arch_id JOIN suite s ON s.id = g.suite_id"
    " JOIN format f ON f.id = g.format_id";
constexpr std::string_view kOutboxBacklog = "SELECT count(*) FROM outbox";

}  // namespace

std::vector<JobCount> Store::JobCounts() {
  Result r = detail::Query(*db_, kJobCounts);
  std::vector<JobCount> out;
  out.reserve(r.rows());
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.null(i, 0) ? "" : r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                   r.text(i, 4), r.i64(i, 5)});
  }
  return out;
}

std::int64_t Store::OutboxBacklog() { return detail::Query(*db_, kOutboxBacklog).i64(0, 0); }

}  // namespace cbit::store
