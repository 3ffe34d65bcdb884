// SubmitTx: the writes of submissions (docs/design.md, "Submission"), inside the caller's
// transaction. This path is benchmarked: every call is one statement for a
// whole batch, written with multi-row VALUES lists (both stores take them,
// and name their columns column1, column2, …), so a batch of submissions
// costs the round trips of one.
#include <algorithm>
#include <bit>
#include <random>
#include <set>

#include "core/debian.h"
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

namespace {

// One row per distinct package (ON CONFLICT DO UPDATE may touch a row once
// per statement), sorted: the lock order of every batch. The update takes
// the row's lock, so that submissions of one package from two controllers
// are recorded one after the other and supersede one another.
Statement UpsertPackages(std::span<const SubmitKey> targets) {
  std::set<std::pair<std::string, std::string>> packages;
  for (const SubmitKey& k : targets) packages.emplace(k.name, k.version);
  Statement st;
  for (const auto& [name, version] : packages)
    st.params.insert(st.params.end(), {name, version, debian::VersionSortKey(version)});
  st.sql = "INSERT INTO package (name, version, version_key) VALUES " +
           Values(packages.size(), {"", "", ""}, 1) +
           " ON CONFLICT (name, version) DO UPDATE SET name = excluded.name";
  return st;
}

// The targets as a VALUES list: name, version, dist, suite, format, arch,
// build env, master, index.
constexpr std::string_view kTargetColumns =
    " AS v CROSS JOIN package p CROSS JOIN packageinstance pi"
    " WHERE p.name = v.column1 AND p.version = v.column2 AND pi.package_id = p.id"
    " AND pi.dist_id = v.column3 AND pi.suite_id = v.column4 AND pi.format_id = v.column5"
    " AND pi.arch_id = v.column6 AND pi.buildenv_id IS NOT DISTINCT FROM v.column7";

std::vector<Param> TargetParams(std::span<const SubmitKey> targets) {
  std::vector<Param> params;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const SubmitKey& k = targets[i];
    params.insert(params.end(), {k.name, k.version, k.dist_id, k.suite_id, k.format_id,
                                 k.target.arch_id, OptId(k.target.buildenv_id),
                                 std::int64_t{k.target.master}, static_cast<std::int64_t>(i)});
  }
  return params;
}

std::string TargetValues(std::size_t n) {
  return "(VALUES " +
         Values(
             n,
             {"TEXT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT", "BIGINT"},
             1) +
         ")";
}

// Inserts the instances that are missing. ON CONFLICT without a target
// covers the (PostgreSQL) unique index, where build env NULLs count as
// equal; NOT EXISTS covers SQLite, where they don't.
Statement InsertInstances(std::span<const SubmitKey> targets) {
  return {
      "INSERT INTO packageinstance (package_id, dist_id, suite_id, format_id, arch_id,"
      " buildenv_id, master) SELECT p.id, v.column3, v.column4, v.column5, v.column6,"
      " v.column7, v.column8 <> 0 FROM " +
          TargetValues(targets.size()) +
          " AS v CROSS JOIN package p WHERE p.name = v.column1 AND p.version = v.column2"
          " AND NOT EXISTS (SELECT 1 FROM packageinstance pi WHERE pi.package_id = p.id"
          " AND pi.dist_id = v.column3 AND pi.suite_id = v.column4"
          " AND pi.format_id = v.column5 AND pi.arch_id = v.column6"
          " AND pi.buildenv_id IS NOT DISTINCT FROM v.column7) ON CONFLICT DO NOTHING",
      TargetParams(targets)};
}

Statement FindInstances(std::span<const SubmitKey> targets) {
  return {"SELECT v.column9, pi.id, pi.master, p.id FROM " + TargetValues(targets.size()) +
              std::string(kTargetColumns),
          TargetParams(targets)};
}

// Driven from the package names: the instances of each name in its target
// are found first (a MATERIALIZED CTE, which both stores evaluate before the
// rest), then their jobs through the job_instance index. Left to the
// planner, PostgreSQL with stale statistics (a new or fast-growing table;
// autovacuum analyzes once a minute at most) walks every Waiting job
// instead, a cost that grows with the table (docs/performance.md).
Statement FindActiveJobs(std::span<const SubmitKey> targets) {
  Statement st;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const SubmitKey& k = targets[i];
    st.params.insert(st.params.end(), {static_cast<std::int64_t>(i), k.name, k.dist_id, k.suite_id,
                                       k.target.arch_id, OptId(k.target.buildenv_id)});
  }
  st.sql =
      "WITH inst AS MATERIALIZED (SELECT v.column1 AS idx, pi.id, pi.master,"
      " p.id AS package_id, p.version FROM (VALUES " +
      Values(targets.size(), {"BIGINT", "TEXT", "BIGINT", "BIGINT", "BIGINT", "BIGINT"}, 1) +
      ") AS v CROSS JOIN package p CROSS JOIN packageinstance pi"
      " WHERE p.name = v.column2 AND pi.package_id = p.id AND pi.dist_id = v.column3"
      " AND pi.suite_id = v.column4 AND pi.arch_id = v.column5"
      " AND pi.buildenv_id IS NOT DISTINCT FROM v.column6)"
      " SELECT inst.idx, j.id, inst.id, inst.master, inst.package_id, inst.version, st.name,"
      " bc.id, bc.name FROM inst CROSS JOIN job j CROSS JOIN status st"
      " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"
      " WHERE j.packageinstance_id = inst.id AND st.id = j.status_id"
      " AND st.name IN ('Waiting', 'Blocked', 'Building') ORDER BY inst.idx, j.id";
  return st;
}

std::vector<std::vector<ActiveJob>> ActiveJobsOf(const Result& r, std::size_t targets) {
  std::vector<std::vector<ActiveJob>> out(targets);
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.at(static_cast<std::size_t>(r.i64(i, 0)))
        .push_back({r.i64(i, 1), r.i64(i, 2), r.boolean(i, 3), r.i64(i, 4), r.text(i, 5),
                    r.text(i, 6), detail::OptLookupAt(r, i, 7)});
  }
  return out;
}

// Job ids are taken before the jobs are inserted, so that the inserts (and
// the messages naming the jobs) need no answer and travel with the COMMIT.
// PostgreSQL: from the identity column's sequence. SQLite: past the highest
// id ever given (AUTOINCREMENT's counter), safe under the write lock.
Statement ReserveJobIds(JobIdSource source, std::size_t n) {
  if (source == JobIdSource::kSequence) {
    // The count is in the text: with a parameter, the planner made a custom
    // plan on every call (its row estimate hangs on the value), and the
    // sequence's name is looked up once, not per row.
    return {
        "WITH s AS MATERIALIZED"
        " (SELECT CAST(pg_get_serial_sequence('job', 'id') AS regclass) AS seq)"
        " SELECT nextval(s.seq) FROM s CROSS JOIN generate_series(1, " +
            std::to_string(n) + ")",
        {}};
  }
  return {
      "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'job'), 0),"
      " COALESCE((SELECT max(id) FROM job), 0))",
      {}};
}

// PostgreSQL, for the rest of the submission's transaction: nested loops
// over indexes only. Every statement here starts from a VALUES list of at
// most a batch of rows and looks each up by an index, which is the right
// plan at any table size; but while a table grows faster than ANALYZE
// follows (a new database, a burst), the planner estimated one matching row
// where there were thousands and hashed or scanned whole tables instead
// (docs/performance.md). SET LOCAL ends with the
// transaction. (SQLite plans nested loops in the order the CROSS JOINs give.)
constexpr std::string_view kIndexLookupsOnly =
    "SELECT set_config('enable_hashjoin', 'off', true),"
    " set_config('enable_mergejoin', 'off', true),"
    " set_config('enable_seqscan', 'off', true),"
    " set_config('enable_bitmapscan', 'off', true)";

}  // namespace

SubmitState SubmitTx::Lookup(std::span<const SubmitKey> targets) {
  SubmitState out;
  if (targets.empty()) return out;
  std::vector<Statement> statements;
  if (c_.capabilities().planner_statistics)
    statements.push_back({std::string(kIndexLookupsOnly), {}});
  const std::size_t first = statements.size();
  statements.push_back(UpsertPackages(targets));
  statements.push_back(InsertInstances(targets));
  statements.push_back(FindInstances(targets));
  statements.push_back(FindActiveJobs(targets));
  statements.push_back(ReserveJobIds(c_.capabilities().job_ids, targets.size()));
  std::vector<Result> all = c_.ExecAll(statements);
  const std::span<const Result> r(all.data() + first, all.size() - first);
  out.package_ids.assign(targets.size(), 0);
  out.instances.assign(targets.size(), {0, false});
  const Result& found = r[2];
  for (std::size_t i = 0; i < found.rows(); ++i) {
    auto k = static_cast<std::size_t>(found.i64(i, 0));
    out.instances.at(k) = {found.i64(i, 1), found.boolean(i, 2)};
    out.package_ids.at(k) = found.i64(i, 3);
  }
  for (const auto& [id, master] : out.instances) {
    if (id == 0) throw DbError(DbErrorKind::kOther, "package instance not found after insert");
  }
  out.active = ActiveJobsOf(r[3], targets.size());
  const Result& ids = r[4];
  if (c_.capabilities().job_ids == JobIdSource::kSequence) {
    for (std::size_t i = 0; i < ids.rows(); ++i) out.job_ids.push_back(ids.i64(i, 0));
  } else {
    for (std::size_t i = 1; i <= targets.size(); ++i)
      out.job_ids.push_back(ids.i64(0, 0) + static_cast<Id>(i));
  }
  return out;
}

std::vector<std::vector<ActiveJob>> SubmitTx::ActiveJobs(std::span<const SubmitKey> targets) {
  if (targets.empty()) return {};
  Statement st = FindActiveJobs(targets);
  return ActiveJobsOf(c_.Exec(st.sql, st.params), targets.size());
}

void SubmitTx::CreateJobs(std::span<const NewJob> jobs, std::int64_t now_us) {
  if (jobs.empty()) return;
  std::vector<Param> rows{now_us}, ids, requests;
  for (const NewJob& j : jobs) {
    rows.insert(rows.end(), {j.id, j.instance_id});
    ids.emplace_back(j.id);
    requests.insert(requests.end(),
                    {j.id, j.transport->method, j.transport->uri, j.transport->vcs_id,
                     j.env_name ? Param(*j.env_name) : Param()});
  }
  c_.Defer(
      "INSERT INTO job (id, packageinstance_id, status_id, status_time)"
      " SELECT v.column1, v.column2, st.id, CAST($1 AS BIGINT) FROM (VALUES " +
          Values(jobs.size(), {"BIGINT", "BIGINT"}, 2) +
          ") AS v CROSS JOIN status st WHERE st.name = 'Waiting'",
      rows);
  c_.Defer(CopyStatusSql(jobs.size(), 1), ids);
  c_.Defer("INSERT INTO buildrequest (job_id, method, uri, vcs_id, buildenv_name) VALUES " +
               Values(jobs.size(), {"", "", "", "", ""}, 1),
           requests);
  store_.HistoryWritten(c_);
}

void SubmitTx::SetStatus(Id job_id, Id status_id, std::int64_t now_us) {
  if (c_.Exec(kSetJobStatus, {job_id, status_id, now_us}).empty()) {
    throw NotFound(detail::NoSuch("job", job_id));
  }
  c_.Defer(kInsertStatus, {job_id, status_id, now_us});
  store_.JobsChanged(c_, {&job_id, 1});
}

// Cancels can name any number of jobs: they go in chunks, so that no
// statement passes the stores' parameter limits, and IN lists are padded to
// a power of two (repeating the last id), so that a connection prepares a
// handful of statement texts rather than one per size.
constexpr std::size_t kChunk = 256;

void SubmitTx::SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t now_us,
                           std::span<const Id> unless) {
  store_.JobsChanged(c_, job_ids);
  const std::string skip = unless.empty() ? std::string()
                                          : " AND (status_id IS NULL OR status_id NOT IN (" +
                                                List(unless.size(), 3) + "))";
  const int first_id = 3 + static_cast<int>(unless.size());
  for (std::size_t start = 0; start < job_ids.size(); start += kChunk) {
    auto chunk = job_ids.subspan(start, std::min(kChunk, job_ids.size() - start));
    std::size_t n = std::bit_ceil(chunk.size());
    std::vector<Param> ids(chunk.begin(), chunk.end());
    ids.resize(n, chunk.back());
    std::vector<Param> params{status_id, now_us};
    params.insert(params.end(), unless.begin(), unless.end());
    params.insert(params.end(), ids.begin(), ids.end());
    c_.Defer("UPDATE job SET status_id = $1, status_time = $2 WHERE id IN (" + List(n, first_id) +
                 ")" + skip,
             params);
    // Only the rows just changed go into the history.
    std::vector<Param> copy{status_id, now_us};
    copy.insert(copy.end(), ids.begin(), ids.end());
    c_.Defer(CopyStatusSql(n, 3) + " AND status_id = $1 AND status_time = $2", copy);
  }
}

void SubmitTx::AddOutbox(std::span<const NewOutbox> rows, std::int64_t now_us) {
  constexpr std::size_t kRows = 64;
  for (std::size_t start = 0; start < rows.size(); start += kRows) {
    auto chunk = rows.subspan(start, std::min(kRows, rows.size() - start));
    std::vector<Param> params;
    for (const NewOutbox& o : chunk) {
      params.insert(params.end(), {o.id, OptId(o.job_id), o.routing_key, o.queue, o.body, now_us});
    }
    c_.Defer("INSERT INTO outbox (id, job_id, routing_key, queue, body, created) VALUES " +
                 Values(chunk.size(), {"", "", "", "", "", ""}, 1),
             params);
  }
}

}  // namespace cbit::store
