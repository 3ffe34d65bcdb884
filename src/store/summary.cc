#include "store/summary.h"

namespace cbit::store {
namespace {

constexpr std::string_view kCountActive =
    "SELECT d.name, a.name, s.name, f.name, st.name, count(*) FROM job j"
    " JOIN status st ON st.id = j.status_id"
    " JOIN packageinstance pi ON pi.id = j.packageinstance_id"
    " JOIN distribution d ON d.id = pi.dist_id JOIN arch a ON a.id = pi.arch_id"
    " JOIN suite s ON s.id = pi.suite_id JOIN format f ON f.id = pi.format_id"
    " WHERE j.status_id IN (SELECT id FROM status WHERE name IN ('Waiting', 'Blocked', 'Building'))"
    " OR (j.status_id IN (SELECT id FROM status WHERE name = 'Failed') AND j.status_time >= $1)"
    " GROUP BY d.name, a.name, s.name, f.name, st.name"
    " ORDER BY d.name, a.name, s.name, f.name, st.name";

}  // namespace

std::vector<TargetCount> CountActiveJobs(Database& db, std::int64_t failed_since_us) {
  return InTransaction(db, false, [&](Connection& c) {
    Result r = c.Exec(std::string(kCountActive), {failed_since_us});
    std::vector<TargetCount> out;
    for (std::size_t i = 0; i < r.rows(); ++i)
      out.push_back(
          {r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.i64(i, 5)});
    return out;
  });
}

}  // namespace cbit::store
