// Store: jobs, their status history and build requests.
#include <spdlog/spdlog.h>

#include <charconv>

#include "store/job_cache.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::Query;

// Lists read lookup ids, not names (store_rows.h: kLookupNames).
#define CBIT_JOB_TABLES     \
  CBIT_INSTANCE_NARROW_FROM \
  " JOIN job j ON j.packageinstance_id = pi.id WHERE true"
constexpr std::string_view kSelectJobs =
    "SELECT j.id, " CBIT_INSTANCE_ID_COLUMNS ", j.buildclient_id, j.status_id" CBIT_JOB_TABLES;
constexpr std::string_view kCountJobs = "SELECT count(*)" CBIT_JOB_TABLES;
constexpr std::string_view kJobOrder = " ORDER BY j.id";
constexpr std::string_view kUnfinishedFilter =
    " AND (j.status_id IS NULL OR j.status_id NOT IN"
    " (SELECT id FROM status WHERE name IN " CBIT_FINISHED_STATUSES "))";
constexpr std::string_view kGetJob = "SELECT " CBIT_JOB_COLUMNS CBIT_JOB_FROM " WHERE j.id = $1";
constexpr std::string_view kJobExists = "SELECT 1 FROM job WHERE id = $1";

// Every row names the job's current client, as pyBit does.
constexpr std::string_view kJobHistory =
    "SELECT js.job_id, st.name, bc.name, js.time, js.reason FROM job j"
    " JOIN jobstatus js ON js.job_id = j.id JOIN status st ON st.id = js.status_id"
    " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"
    " WHERE j.id = $1 ORDER BY js.time, js.id";
constexpr std::string_view kBuildRequestOf =
    "SELECT method, uri, vcs_id, buildenv_name FROM buildrequest WHERE job_id = $1";

constexpr std::string_view kStatusNamed = "SELECT id FROM status WHERE name = $1";
constexpr std::string_view kEnsureClient =
    "INSERT INTO buildclients (name) VALUES ($1) "
    "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id";
// An update of nothing takes the row's lock in PostgreSQL; SQLite's write
// transaction holds the whole database already.
constexpr std::string_view kLockJob =
    "UPDATE job SET status_id = status_id WHERE id = $1 RETURNING id";
constexpr std::string_view kJobState =
    "SELECT st.name, bc.name FROM job j LEFT JOIN status st ON st.id = j.status_id"
    " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id WHERE j.id = $1";
constexpr std::string_view kSetJobClient =
    "UPDATE job SET buildclient_id = $2, last_heard = $3 WHERE id = $1";
constexpr std::string_view kSetJobHeard = "UPDATE job SET last_heard = $2 WHERE id = $1";
constexpr std::string_view kSetClientHeard =
    "UPDATE buildclients SET last_heard = $2 WHERE id = $1";
constexpr std::string_view kClientHeardByName =
    "UPDATE buildclients SET last_heard = $2 WHERE name = $1";
constexpr std::string_view kReasonOfLatest =
    "UPDATE jobstatus SET reason = $2 WHERE id = (SELECT max(id) FROM jobstatus WHERE job_id = $1)";

constexpr std::string_view kDeleteJobHistory = "DELETE FROM jobstatus WHERE job_id = $1";
constexpr std::string_view kDeleteJobRequest = "DELETE FROM buildrequest WHERE job_id = $1";
constexpr std::string_view kDeleteJobLog = "DELETE FROM joblog WHERE job_id = $1";
constexpr std::string_view kDeleteJobProvenance = "DELETE FROM build_provenance WHERE job_id = $1";
constexpr std::string_view kDeleteJob = "DELETE FROM job WHERE id = $1 RETURNING id";

#define CBIT_JOB_CHANNEL "cbit_job"
constexpr std::string_view kJobChannel = CBIT_JOB_CHANNEL;
constexpr std::string_view kNotifyJobs = "SELECT pg_notify('" CBIT_JOB_CHANNEL "', $1)";
constexpr std::string_view kAllJobs = "*";
constexpr std::size_t kMaxNotifyPayload = 7900;

/// "12,13,40" → ids; nullopt for anything else.
std::optional<std::vector<Id>> ParseJobIds(std::string_view payload) {
  std::vector<Id> ids;
  const char* p = payload.data();
  const char* end = p + payload.size();
  while (p < end) {
    Id id = 0;
    auto r = std::from_chars(p, end, id);
    if (r.ec != std::errc() || (r.ptr != end && *r.ptr != ',')) return std::nullopt;
    ids.push_back(id);
    p = r.ptr + (r.ptr != end);
  }
  if (ids.empty()) return std::nullopt;
  return ids;
}

// Each JobFilter field filters on a package column, or on a lookup id
// column by the lookup's name.
struct FilterColumn {
  std::string JobFilter::*field;
  std::string_view column;
  std::string_view lookup_table;  ///< empty: `column` holds the value itself
};
constexpr FilterColumn kFilterColumns[] = {
    {&JobFilter::arch, "pi.arch_id", "arch"},
    {&JobFilter::suite, "pi.suite_id", "suite"},
    {&JobFilter::dist, "pi.dist_id", "distribution"},
    {&JobFilter::format, "pi.format_id", "format"},
    {&JobFilter::package, "p.name", ""},
    {&JobFilter::buildenv, "pi.buildenv_id", "buildenv"},
    {&JobFilter::client, "j.buildclient_id", "buildclients"},
    {&JobFilter::status, "j.status_id", "status"},
    {&JobFilter::version, "p.version", ""},
};

}  // namespace

Job detail::ListedJobAt(const Result& r, std::size_t row, const detail::LookupNames& names) {
  using Names = detail::LookupNames;
  Job j;
  j.id = r.i64(row, 0);
  j.instance = detail::ListedInstanceAt(r, row, 1, names);
  j.buildclient = names.At(Names::kBuildClient, r, row, 11);
  if (auto st = names.At(Names::kStatus, r, row, 12)) j.status = st->name;
  return j;
}

// The SQL text depends only on which fields are set, so the
// prepared-statement caches stay small.
std::vector<Param> detail::AppendJobFilter(const JobFilter& f, std::string& sql) {
  std::vector<Param> params;
  for (const FilterColumn& fc : kFilterColumns) {
    const std::string& value = f.*fc.field;
    if (value.empty()) continue;
    params.emplace_back(value);
    const std::string n = std::to_string(params.size());
    sql += " AND " + std::string(fc.column);
    // Lookup names are unique: "= (SELECT …)" is one value to the planner,
    // so SQLite walks the column's index in id order instead of sorting
    // every match for a newest-first page.
    sql += fc.lookup_table.empty()
               ? " = $" + n
               : " = (SELECT id FROM " + std::string(fc.lookup_table) + " WHERE name = $" + n + ")";
  }
  if (f.unfinished) sql += kUnfinishedFilter;
  if (f.after_id > 0) {
    params.emplace_back(f.after_id);
    sql += " AND j.id > $" + std::to_string(params.size());
  }
  return params;
}

std::string_view detail::SelectJobsSql() { return kSelectJobs; }

std::vector<Job> Store::ListJobs(const JobFilter& f, Page page) {
  std::string sql(kSelectJobs);
  std::vector<Param> params = detail::AppendJobFilter(f, sql);
  sql += kJobOrder;
  // The whole list goes without LIMIT: a LIMIT parameter made PostgreSQL's
  // generic plan expect few rows and fetch them by index, row by row.
  if (page.number >= 1) {
    params.emplace_back(detail::PageLimit(page));
    sql += " LIMIT $" + std::to_string(params.size());
    params.emplace_back(detail::PageOffset(page));
    sql += " OFFSET $" + std::to_string(params.size());
  }
  return detail::ListWithNames(*db_, std::move(sql), std::move(params), detail::ListedJobAt);
}

std::int64_t Store::CountJobs(const JobFilter& f) {
  std::string sql(kCountJobs);
  std::vector<Param> params = detail::AppendJobFilter(f, sql);
  return Query(*db_, sql, params).i64(0, 0);
}

Job Store::GetJob(Id id) {
  if (auto cached = job_cache_->Find(id)) return std::move(*cached);
  const std::uint64_t ticket = job_cache_->Ticket(id);
  Result r = Query(*db_, kGetJob, {id});
  if (r.empty()) throw NotFound(detail::NoSuch("job", id));
  Job job = detail::JobAt(r, 0);
  job_cache_->Fill(job, ticket);
  return job;
}

std::optional<Job> Store::CachedJob(Id id) { return job_cache_->Find(id); }

// On PostgreSQL a transaction that changes jobs also says which, on channel
// cbit_job: their ids, comma-separated, or "*" for all (a payload must stay
// under 8,000 bytes). The NOTIFY is delivered when, and if, it commits.
void Store::JobsChanged(Connection& c, std::span<const Id> ids) {
  if (ids.empty()) return;
  if (c.capabilities().listen_notify) {
    std::string payload;
    for (Id id : ids) {
      if (!payload.empty()) payload += ',';
      payload += std::to_string(id);
      if (payload.size() > kMaxNotifyPayload) {
        payload = kAllJobs;
        break;
      }
    }
    c.Defer(kNotifyJobs, {payload});
  }
  c.AfterCommit([cache = job_cache_.get(), v = std::vector<Id>(ids.begin(), ids.end())] {
    cache->Invalidate(v);
  });
  HistoryWritten(c);
}

void Store::HistoryWritten(Connection& c) {
  std::shared_ptr<const std::function<void()>> fn;
  {
    std::lock_guard lock(observer_mu_);
    fn = on_jobs_committed_;
  }
  if (fn) c.AfterCommit([fn] { (*fn)(); });
}

void Store::OnJobsCommitted(std::function<void()> fn) {
  std::lock_guard lock(observer_mu_);
  on_jobs_committed_ = fn ? std::make_shared<const std::function<void()>>(std::move(fn)) : nullptr;
}

void Store::AllJobsChanged(Connection& c) {
  if (c.capabilities().listen_notify) c.Defer(kNotifyJobs, {std::string(kAllJobs)});
  c.AfterCommit([cache = job_cache_.get()] { cache->Clear(); });
  HistoryWritten(c);
}

std::size_t Store::CachedJobs() { return job_cache_->size(); }

std::unique_ptr<Subscription> Store::ListenForJobChanges() {
  JobCache* cache = job_cache_.get();
  auto on_message = [cache](std::string_view payload) {
    if (auto ids = ParseJobIds(payload)) {
      cache->Invalidate(*ids);
    } else {
      cache->Clear();  // "*", or what this version does not read
    }
  };
  auto on_listening = [cache](bool listening) {
    // Changes made while not listening went unheard: nothing cached is kept.
    cache->SetEnabled(listening);
    if (!listening) spdlog::warn("job cache off until other controllers' changes are heard again");
  };
  return db_->Listen(std::string(kJobChannel), on_message, on_listening);
}

std::unique_ptr<Subscription> Store::ListenForJobChanges(std::function<void()> fn) {
  auto shared = std::make_shared<std::function<void()>>(std::move(fn));
  return db_->Listen(
      std::string(kJobChannel), [shared](std::string_view) { (*shared)(); },
      [shared](bool listening) {
        if (listening) (*shared)();
      });
}

std::vector<JobHistory> Store::JobHistoryOf(Id id) {
  Result r = Query(*db_, kJobHistory, {id});
  if (r.empty() && Query(*db_, kJobExists, {id}).empty()) {
    throw NotFound(detail::NoSuch("job", id));
  }
  std::vector<JobHistory> out;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    JobHistory h{r.i64(i, 0), r.text(i, 1), std::nullopt, r.i64(i, 3)};
    if (!r.null(i, 2)) h.buildclient = r.text(i, 2);
    if (!r.null(i, 4)) h.reason = r.text(i, 4);
    out.push_back(std::move(h));
  }
  return out;
}

std::optional<Transport> Store::BuildRequestOf(Id job_id, std::string* env_name) {
  Result r = Query(*db_, kBuildRequestOf, {job_id});
  if (r.empty()) return std::nullopt;
  if (env_name) *env_name = r.null(0, 3) ? std::string() : r.text(0, 3);
  return Transport{r.text(0, 0), r.text(0, 1), r.text(0, 2)};
}

void Store::ReportStatus(Id job_id, const std::string& status,
                         const std::optional<std::string>& client, std::int64_t now_us) {
  Write([&](Connection& c) { SubmitTx(*this, c).ReportStatus(job_id, status, client, now_us); });
}

JobState SubmitTx::LockJob(Id job_id) {
  if (c_.Exec(kLockJob, {job_id}).empty()) throw NotFound(detail::NoSuch("job", job_id));
  Result r = c_.Exec(kJobState, {job_id});
  JobState s;
  if (!r.null(0, 0)) s.status = r.text(0, 0);
  if (!r.null(0, 1)) s.client = r.text(0, 1);
  return s;
}

JobLease SubmitTx::LockLease(Id job_id) {
  LockJob(job_id);
  return detail::LeaseAt(c_.Exec(detail::kJobLease, {job_id}), job_id);
}

void SubmitTx::ReportStatus(Id job_id, const std::string& status,
                            const std::optional<std::string>& client, std::int64_t now_us,
                            const std::optional<std::string>& reason) {
  Result st = c_.Exec(kStatusNamed, {status});
  if (st.empty()) throw NotFound("unknown status '" + status + "'");
  SetStatus(job_id, st.i64(0, 0), now_us);  // NotFound for a missing job
  if (reason) c_.Exec(kReasonOfLatest, {job_id, *reason});
  if (client) {
    Id client_id = c_.Exec(kEnsureClient, {*client}).i64(0, 0);
    c_.Exec(kSetJobClient, {job_id, client_id, now_us});
    c_.Exec(kSetClientHeard, {client_id, now_us});
  } else if (status == status::kBuilding) {
    c_.Exec(kSetJobHeard, {job_id, now_us});
  }
}

void SubmitTx::Renew(Id job_id, const std::string& client, std::int64_t now_us) {
  c_.Exec(kSetJobHeard, {job_id, now_us});
  c_.Exec(kClientHeardByName, {client, now_us});
}

void Store::DeleteJob(Id id) {
  InTransaction(*db_, true, [&](Connection& c) {
    JobsChanged(c, {&id, 1});
    c.Exec(kDeleteJobHistory, {id});
    c.Exec(kDeleteJobRequest, {id});
    c.Exec(kDeleteJobLog, {id});
    c.Exec(kDeleteJobProvenance, {id});
    if (c.Exec(kDeleteJob, {id}).empty()) throw NotFound(detail::NoSuch("job", id));
  });
}

}  // namespace cbit::store
