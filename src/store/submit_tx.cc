// SubmitTx: the writes of submissions (SPEC §3), inside the caller's
// transaction. This path is benchmarked: every call is one statement for a
// whole batch, written with multi-row VALUES lists (both stores take them,
// and name their columns column1, column2, …), so a batch of submissions
// costs the round trips of one.
#include <algorithm>
#include <map>
#include <random>

#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::OptId;

/// "(CAST($3 AS BIGINT), $4), (CAST($5 AS BIGINT), $6)": `rows` rows of
/// `types.size()` parameters numbered from `first`; an empty type binds the
/// parameter as it is (the column it goes to gives its type).
std::string Values(std::size_t rows, std::initializer_list<std::string_view> types, int first) {
  std::string out;
  int n = first;
  for (std::size_t r = 0; r < rows; ++r) {
    out += r ? ", (" : "(";
    bool first_col = true;
    for (std::string_view t : types) {
      if (!first_col) out += ", ";
      first_col = false;
      std::string p = "$" + std::to_string(n++);
      if (t.empty()) {
        out += p;
      } else {
        out += "CAST(" + p + " AS ";
        out += t;
        out += ")";
      }
    }
    out += ")";
  }
  return out;
}

/// "$3, $4, $5": `n` parameters numbered from `first`.
std::string List(std::size_t n, int first) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += "$" + std::to_string(first + static_cast<int>(i));
  }
  return out;
}

constexpr std::string_view kSetJobStatus =
    "UPDATE job SET status_id = $2, status_time = $3 WHERE id = $1 RETURNING id";
constexpr std::string_view kInsertStatus =
    "INSERT INTO jobstatus (job_id, status_id, time) VALUES ($1, $2, $3)";

/// The current status of jobs, copied into their history.
std::string CopyStatusSql(std::size_t n, int first) {
  return "INSERT INTO jobstatus (job_id, status_id, time)"
         " SELECT id, status_id, status_time FROM job WHERE id IN (" +
         List(n, first) + ")";
}

}  // namespace

Id NewOutboxId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return static_cast<Id>(rng() >> 2) + 1;  // positive, fits a signed BIGINT
}

std::vector<Id> SubmitTx::UpsertPackages(
    std::span<const std::pair<std::string, std::string>> packages) {
  // One row per distinct package (ON CONFLICT DO UPDATE may touch a row
  // once per statement), sorted: the lock order of every batch.
  std::map<std::pair<std::string, std::string>, Id> ids;
  for (const auto& p : packages) ids.emplace(p, 0);
  if (ids.empty()) return {};
  std::vector<Param> params;
  for (const auto& [key, id] : ids) {
    params.emplace_back(key.first);
    params.emplace_back(key.second);
  }
  Result r =
      c_.Exec("INSERT INTO package (name, version) VALUES " + Values(ids.size(), {"", ""}, 1) +
                  " ON CONFLICT (name, version) DO UPDATE SET name = excluded.name"
                  " RETURNING id, name, version",
              params);
  for (std::size_t i = 0; i < r.rows(); ++i) ids[{r.text(i, 1), r.text(i, 2)}] = r.i64(i, 0);
  std::vector<Id> out;
  for (const auto& p : packages) out.push_back(ids.at(p));
  return out;
}

std::vector<std::pair<Id, bool>> SubmitTx::GetOrCreateInstances(std::span<const InstanceKey> keys) {
  if (keys.empty()) return {};
  // The insert needs no answer, so it travels with the SELECT. ON CONFLICT
  // without a target covers the (PostgreSQL) unique index, where build env
  // NULLs count as equal; NOT EXISTS covers SQLite, where they don't.
  std::vector<Param> row_params, key_params;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const InstanceKey& k = keys[i];
    for (Param p : {Param(k.package_id), Param(k.dist_id), Param(k.suite_id), Param(k.format_id),
                    Param(k.target.arch_id), OptId(k.target.buildenv_id)}) {
      row_params.push_back(p);
      key_params.push_back(p);
    }
    row_params.emplace_back(std::int64_t{k.target.master});
    key_params.emplace_back(static_cast<std::int64_t>(i));
  }
  const std::initializer_list<std::string_view> kTypes = {"BIGINT", "BIGINT", "BIGINT", "BIGINT",
                                                          "BIGINT", "BIGINT", "BIGINT"};
  c_.Defer(
      "INSERT INTO packageinstance (package_id, dist_id, suite_id, format_id, arch_id,"
      " buildenv_id, master) SELECT v.column1, v.column2, v.column3, v.column4, v.column5,"
      " v.column6, v.column7 <> 0 FROM (VALUES " +
          Values(keys.size(), kTypes, 1) +
          ") AS v WHERE NOT EXISTS (SELECT 1 FROM packageinstance pi"
          " WHERE pi.package_id = v.column1 AND pi.dist_id = v.column2 AND pi.suite_id = v.column3"
          " AND pi.format_id = v.column4 AND pi.arch_id = v.column5"
          " AND pi.buildenv_id IS NOT DISTINCT FROM v.column6)"
          " ON CONFLICT DO NOTHING",
      row_params);
  Result r = c_.Exec(
      "SELECT v.column7, pi.id, pi.master FROM (VALUES " + Values(keys.size(), kTypes, 1) +
          ") AS v CROSS JOIN packageinstance pi WHERE pi.package_id = v.column1"
          " AND pi.dist_id = v.column2 AND pi.suite_id = v.column3 AND pi.format_id = v.column4"
          " AND pi.arch_id = v.column5 AND pi.buildenv_id IS NOT DISTINCT FROM v.column6",
      key_params);
  std::vector<std::pair<Id, bool>> out(keys.size(), {0, false});
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.at(static_cast<std::size_t>(r.i64(i, 0))) = {r.i64(i, 1), r.boolean(i, 2)};
  }
  for (const auto& [id, master] : out) {
    if (id == 0) throw DbError(DbErrorKind::kOther, "package instance not found after insert");
  }
  return out;
}

std::vector<std::vector<ActiveJob>> SubmitTx::ActiveJobs(std::span<const ActiveKey> keys) {
  if (keys.empty()) return {};
  std::vector<Param> params;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const ActiveKey& k = keys[i];
    params.insert(params.end(), {static_cast<std::int64_t>(i), k.name, k.dist_id, k.suite_id,
                                 k.target.arch_id, OptId(k.target.buildenv_id)});
  }
  // Driven from the package names: the instances of each name in its target
  // are found first (a MATERIALIZED CTE, which both stores evaluate before
  // the rest), then their jobs through the job_instance index. Left to the
  // planner, PostgreSQL with stale statistics (a new or fast-growing table;
  // autovacuum analyzes once a minute at most) walks every Waiting job
  // instead: measured 4.7 ms per submission at 10k jobs, and growing.
  Result r = c_.Exec(
      "WITH inst AS MATERIALIZED (SELECT v.column1 AS idx, pi.id, pi.master,"
      " p.id AS package_id, p.version FROM (VALUES " +
          Values(keys.size(), {"BIGINT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT"}, 1) +
          ") AS v CROSS JOIN package p CROSS JOIN packageinstance pi"
          " WHERE p.name = v.column2 AND pi.package_id = p.id AND pi.dist_id = v.column3"
          " AND pi.suite_id = v.column4 AND pi.arch_id = v.column5"
          " AND pi.buildenv_id IS NOT DISTINCT FROM v.column6)"
          " SELECT inst.idx, j.id, inst.id, inst.master, inst.package_id, inst.version, st.name,"
          " bc.id, bc.name FROM inst CROSS JOIN job j CROSS JOIN status st"
          " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"
          " WHERE j.packageinstance_id = inst.id AND st.id = j.status_id"
          " AND st.name IN ('Waiting', 'Blocked', 'Building') ORDER BY inst.idx, j.id",
      params);
  std::vector<std::vector<ActiveJob>> out(keys.size());
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.at(static_cast<std::size_t>(r.i64(i, 0)))
        .push_back({r.i64(i, 1), r.i64(i, 2), r.boolean(i, 3), r.i64(i, 4), r.text(i, 5),
                    r.text(i, 6), detail::OptLookupAt(r, i, 7)});
  }
  return out;
}

std::vector<Id> SubmitTx::CreateJobs(std::span<const NewJob> jobs, std::int64_t now_us) {
  if (jobs.empty()) return {};
  std::vector<Param> params{now_us};
  for (const NewJob& j : jobs) params.emplace_back(j.instance_id);
  Result r = c_.Exec(
      "INSERT INTO job (packageinstance_id, status_id, status_time)"
      " SELECT v.column1, st.id, CAST($1 AS BIGINT) FROM (VALUES " +
          Values(jobs.size(), {"BIGINT"}, 2) +
          ") AS v CROSS JOIN status st WHERE st.name = 'Waiting'"
          " RETURNING id, packageinstance_id",
      params);
  std::map<Id, Id> job_of;  // instance → job
  for (std::size_t i = 0; i < r.rows(); ++i) job_of[r.i64(i, 1)] = r.i64(i, 0);
  std::vector<Id> ids;
  std::vector<Param> requests;
  for (const NewJob& j : jobs) {
    auto it = job_of.find(j.instance_id);
    if (it == job_of.end()) throw DbError(DbErrorKind::kOther, "job not created (status table?)");
    ids.push_back(it->second);
    requests.insert(requests.end(),
                    {it->second, j.transport->method, j.transport->uri, j.transport->vcs_id,
                     j.env_name ? Param(*j.env_name) : Param()});
  }
  std::vector<Param> id_params(ids.begin(), ids.end());
  c_.Defer(CopyStatusSql(ids.size(), 1), id_params);
  c_.Defer("INSERT INTO buildrequest (job_id, method, uri, vcs_id, buildenv_name) VALUES " +
               Values(jobs.size(), {"", "", "", "", ""}, 1),
           requests);
  return ids;
}

void SubmitTx::SetStatus(Id job_id, Id status_id, std::int64_t now_us) {
  if (c_.Exec(kSetJobStatus, {job_id, status_id, now_us}).empty()) {
    throw NotFound(detail::NoSuch("job", job_id));
  }
  c_.Defer(kInsertStatus, {job_id, status_id, now_us});
}

void SubmitTx::SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t now_us) {
  if (job_ids.empty()) return;
  std::vector<Param> params{status_id, now_us};
  params.insert(params.end(), job_ids.begin(), job_ids.end());
  c_.Defer("UPDATE job SET status_id = $1, status_time = $2 WHERE id IN (" +
               List(job_ids.size(), 3) + ")",
           params);
  c_.Defer(CopyStatusSql(job_ids.size(), 1), std::span<const Param>(params).subspan(2));
}

void SubmitTx::AddOutbox(std::span<const NewOutbox> rows, std::int64_t now_us) {
  if (rows.empty()) return;
  std::vector<Param> params;
  for (const NewOutbox& o : rows) {
    params.insert(params.end(), {o.id, OptId(o.job_id), o.routing_key, o.queue, o.body, now_us});
  }
  c_.Defer("INSERT INTO outbox (id, job_id, routing_key, queue, body, created) VALUES " +
               Values(rows.size(), {"", "", "", "", "", ""}, 1),
           params);
}

}  // namespace cbit::store
