// SubmitTx: the writes of one submission (SPEC §3), inside the caller's
// transaction. This path is benchmarked, so each step is one or two
// statements.
#include <random>

#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::OptId;

constexpr std::string_view kUpsertPackage =
    "INSERT INTO package (name, version) VALUES ($1, $2) "
    "ON CONFLICT (name, version) DO UPDATE SET name = excluded.name RETURNING id";
// Inserts the instance unless it exists, with no answer needed, so it is
// sent together with the SELECT that follows. ON CONFLICT without a target
// also covers the (PostgreSQL) unique index over the combination, where
// build env NULLs count as equal; NOT EXISTS covers SQLite, where they don't.
constexpr std::string_view kInsertInstanceIfMissing =
    "INSERT INTO packageinstance (package_id, dist_id, suite_id, format_id, arch_id, buildenv_id,"
    " master) SELECT CAST($1 AS BIGINT), CAST($2 AS BIGINT), CAST($3 AS BIGINT),"
    " CAST($4 AS BIGINT), CAST($5 AS BIGINT), CAST($6 AS BIGINT), CAST($7 AS BOOLEAN)"
    " WHERE NOT EXISTS (SELECT 1 FROM packageinstance WHERE package_id = $1 AND dist_id = $2"
    " AND suite_id = $3 AND format_id = $4 AND arch_id = $5"
    " AND buildenv_id IS NOT DISTINCT FROM $6) ON CONFLICT DO NOTHING";
// Driven from the package name: the instances of that name in the target are
// found first (a MATERIALIZED CTE, which both stores evaluate before the
// rest), then their jobs through the job_instance index. Left to the planner,
// PostgreSQL with stale statistics (a new or fast-growing table; autovacuum
// analyzes once a minute at most) walks every Waiting job instead: measured
// 4.7 ms per submission at 10k jobs, and growing with the queue.
constexpr std::string_view kActiveJobs =
    "WITH inst AS MATERIALIZED (SELECT pi.id, pi.master, p.id AS package_id, p.version"
    " FROM package p CROSS JOIN packageinstance pi"
    " WHERE p.name = $1 AND pi.package_id = p.id AND pi.dist_id = $2 AND pi.suite_id = $3"
    " AND pi.arch_id = $4 AND pi.buildenv_id IS NOT DISTINCT FROM $5)"
    " SELECT j.id, inst.id, inst.master, inst.package_id, inst.version, st.name, bc.id, bc.name"
    " FROM inst CROSS JOIN job j CROSS JOIN status st"
    " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"
    " WHERE j.packageinstance_id = inst.id AND st.id = j.status_id"
    " AND st.name IN ('Waiting', 'Blocked', 'Building') ORDER BY j.id";
constexpr std::string_view kInsertJob =
    "INSERT INTO job (packageinstance_id, status_id, status_time)"
    " VALUES ($1, (SELECT id FROM status WHERE name = 'Waiting'), $2) RETURNING id";
// The first history row copies the status just given to the job.
constexpr std::string_view kInsertFirstStatus =
    "INSERT INTO jobstatus (job_id, status_id, time)"
    " SELECT id, status_id, status_time FROM job WHERE id = $1";
constexpr std::string_view kInsertBuildRequest =
    "INSERT INTO buildrequest (job_id, method, uri, vcs_id, buildenv_name)"
    " VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kSetJobStatus =
    "UPDATE job SET status_id = $2, status_time = $3 WHERE id = $1 RETURNING id";
constexpr std::string_view kInsertStatus =
    "INSERT INTO jobstatus (job_id, status_id, time) VALUES ($1, $2, $3)";
// The id is chosen here, not by the database, so the insert needs no answer
// and travels with the COMMIT.
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (id, job_id, routing_key, queue, body, created)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

Id NewOutboxId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return static_cast<Id>(rng() >> 2) + 1;  // positive, fits a signed BIGINT
}

}  // namespace

Id SubmitTx::UpsertPackage(const std::string& name, const std::string& version) {
  return c_.Exec(kUpsertPackage, {name, version}).i64(0, 0);
}

std::pair<Id, bool> SubmitTx::GetOrCreateInstance(Id package_id, Id dist_id, Id suite_id,
                                                  Id format_id, const Target& t) {
  const Param key[] = {package_id, dist_id, suite_id, format_id, t.arch_id, OptId(t.buildenv_id)};
  const Param row[] = {package_id,
                       dist_id,
                       suite_id,
                       format_id,
                       t.arch_id,
                       OptId(t.buildenv_id),
                       std::int64_t{t.master}};
  c_.Defer(kInsertInstanceIfMissing, row);
  Result r = c_.Exec(detail::kFindInstance, key);
  return {r.i64(0, 0), r.boolean(0, 1)};
}

std::vector<ActiveJob> SubmitTx::ActiveJobs(const std::string& name, Id dist_id, Id suite_id,
                                            const Target& t) {
  Result r = c_.Exec(kActiveJobs, {name, dist_id, suite_id, t.arch_id, OptId(t.buildenv_id)});
  std::vector<ActiveJob> out;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.i64(i, 0), r.i64(i, 1), r.boolean(i, 2), r.i64(i, 3), r.text(i, 4),
                   r.text(i, 5), detail::OptLookupAt(r, i, 6)});
  }
  return out;
}

Id SubmitTx::CreateJob(Id instance_id, const Transport& t,
                       const std::optional<std::string>& env_name, std::int64_t now_us) {
  Id job = c_.Exec(kInsertJob, {instance_id, now_us}).i64(0, 0);
  c_.Defer(kInsertFirstStatus, {job});
  c_.Defer(kInsertBuildRequest,
           {job, t.method, t.uri, t.vcs_id, env_name ? Param(*env_name) : Param()});
  return job;
}

void SubmitTx::SetStatus(Id job_id, Id status_id, std::int64_t now_us) {
  if (c_.Exec(kSetJobStatus, {job_id, status_id, now_us}).empty()) {
    throw NotFound(detail::NoSuch("job", job_id));
  }
  c_.Defer(kInsertStatus, {job_id, status_id, now_us});
}

Id SubmitTx::AddOutbox(std::optional<Id> job_id, const std::string& routing_key,
                       const std::string& queue, const std::string& body, std::int64_t now_us) {
  Id id = NewOutboxId();
  c_.Defer(kInsertOutbox, {id, OptId(job_id), routing_key, queue, body, now_us});
  return id;
}

}  // namespace cbit::store
