// The store: every query the controller runs, written once over db.h and run
// on SQLite or PostgreSQL. Lists are one query each, never one per row.
//
// Errors: NotFound and Conflict (below) for what the caller did wrong;
// DbError (db.h) for what the database did.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.h"
#include "store/db.h"

namespace cbit::store {

/// The id named does not exist.
struct NotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// A unique name is taken, or a row is still referenced.
struct Conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A page of a list: pages start at 1; page 0 means "everything".
struct Page {
  std::int64_t number = 0;
  std::int64_t size = 0;
};

/// Filters of GET /job; an empty field does not filter.
struct JobFilter {
  std::string arch, suite, dist, format, package, buildenv, client;
  std::string version;      ///< the package version, exactly (no Debian ordering)
  std::string status;       ///< current status name
  bool unfinished = false;  ///< current status not Uploaded, Done or Cancelled
  Id after_id = 0;          ///< only jobs with a larger id (a list read in batches)
};

/// What a submission needs that changes rarely: names → ids, the suite/arch
/// map, build environments, blacklist. Loaded in a few queries and cached by
/// the controller.
struct Catalog {
  std::vector<Lookup> arches, dists, suites, formats, statuses, buildenvs;
  std::vector<SuiteArch> suitearches;  ///< ordered by master_weight desc, id
  std::vector<BuildEnvSuiteArch> env_suitearches;
  std::vector<Blacklist> blacklist;
  const Lookup* Find(LookupKind kind, std::string_view name) const;
};

/// A job that a new submission may supersede (docs/design.md, "Submission", step 6).
struct ActiveJob {
  Id job_id = 0;
  Id instance_id = 0;
  bool master = false;  ///< of its instance
  Id package_id = 0;
  std::string version;
  std::string status;
  std::optional<Lookup> buildclient;
};

/// One target of a submission, resolved by the controller.
struct Target {
  Id arch_id = 0;
  std::optional<Id> buildenv_id;
  bool master = false;  ///< used when the package instance is created
};

/// One target of one submission in a batch: the package (got or created),
/// the instance to build it in (got or created; `target.master` applies
/// only to a new one), and where to look for jobs to supersede (the same
/// package name, any version, in the same dist/suite/arch/build env).
struct SubmitKey {
  std::string name, version;
  Id dist_id = 0, suite_id = 0, format_id = 0;
  Target target;
};

/// What the database holds for the targets of a batch, each in order.
struct SubmitState {
  std::vector<Id> package_ids;
  std::vector<std::pair<Id, bool>> instances;  ///< id and master flag
  std::vector<std::vector<ActiveJob>> active;  ///< by job id
  std::vector<Id> job_ids;                     ///< reserved for the new jobs
};

/// A job to create in Waiting, with its build request.
struct NewJob {
  Id id = 0;  ///< reserved by SubmitTx::Lookup
  Id instance_id = 0;
  const Transport* transport = nullptr;
  std::optional<std::string> env_name;
};

/// A message to record in the outbox (the id is chosen by NewOutboxId).
struct NewOutbox {
  Id id = 0;
  std::optional<Id> job_id;
  std::string routing_key, queue, body;
};

/// A fresh outbox id: chosen here, not by the database, so that the insert
/// needs no answer and travels with the COMMIT.
Id NewOutboxId();

/// A job's current status and build client, as a status report finds them.
struct JobState {
  std::string status;  ///< empty: none recorded
  std::optional<std::string> client;
};

/// A job's lease (docs/design.md, "Job life cycle"): when its build client
/// was last heard from about it, and how many build attempts it had.
struct JobLease {
  Id job_id = 0;
  std::string status;  ///< empty: none recorded
  std::optional<std::string> client;
  /// The holder's last report, log append or renewal; for a job never
  /// heard from (claimed before leases existed), the time of its status.
  std::int64_t last_heard_us = 0;
  int attempts = 0;  ///< Building statuses in its history
};

/// When a build client was last heard from (a report, a log append, a
/// renewal or a heartbeat); nullopt: never since leases exist.
struct ClientHeard {
  Id id = 0;
  std::string name;
  std::optional<std::int64_t> last_heard_us;
  /// The queues it said it consumes, comma-separated; nullopt: it never said.
  std::optional<std::string> queues;
};

class Store;

/// The writes of submissions and cancels, inside the caller's transaction,
/// set-based: each step is one statement however many submissions a batch
/// holds (the controller groups concurrent ones: util/coalescer.h), and on
/// PostgreSQL a whole batch costs two round trips: Lookup, then the writes
/// sent with the COMMIT.
class SubmitTx {
 public:
  /// Writes through `c`, a write transaction of `store`'s database.
  SubmitTx(Store& store, Connection& c) : store_(store), c_(c) {}
  /// Gets or creates the packages and instances of `targets`, finds their
  /// jobs to supersede and reserves an id for each new job. The targets'
  /// (name, dist, suite, arch, build env) must be distinct. Package rows are
  /// locked in (name, version) order, so concurrent batches cannot deadlock
  /// on them.
  SubmitState Lookup(std::span<const SubmitKey> targets);
  /// The supersede candidates of `targets` alone (same rules as Lookup).
  std::vector<std::vector<ActiveJob>> ActiveJobs(std::span<const SubmitKey> targets);
  /// Creates jobs in Waiting with their build requests and first history
  /// rows, sent with the next statement.
  void CreateJobs(std::span<const NewJob> jobs, std::int64_t now_us);
  /// Appends a status to one job's history and makes it the current one;
  /// NotFound when the job does not exist.
  void SetStatus(Id job_id, Id status_id, std::int64_t now_us);
  /// The same for many jobs, sent with the next statement; jobs that no
  /// longer exist, or whose status is now one of `unless` (they finished
  /// since they were read), are skipped.
  void SetStatuses(std::span<const Id> job_ids, Id status_id, std::int64_t now_us,
                   std::span<const Id> unless = {});
  /// Locks a job's row until the transaction ends (an update of nothing,
  /// which both stores hold until commit) and reads its status and client.
  /// NotFound when the job does not exist.
  JobState LockJob(Id job_id);
  /// Locks a job's row as LockJob does and reads its lease.
  JobLease LockLease(Id job_id);
  /// A client's report: appends `status` (by name) to the job's history and
  /// makes it current; `client`, when given, becomes its build client
  /// (created if new) and was heard from now, as is a job entering
  /// Building. `reason`, when given, is recorded with the history row (the
  /// controller's own moves). NotFound for an unknown job or status.
  void ReportStatus(Id job_id, const std::string& status, const std::optional<std::string>& client,
                    std::int64_t now_us, const std::optional<std::string>& reason = std::nullopt);
  /// The holder of a locked job renewed its lease: the job and `client` were
  /// heard from now.
  void Renew(Id job_id, const std::string& client, std::int64_t now_us);
  /// Records messages to publish, sent with the next statement; a row goes
  /// once the broker confirms its message.
  void AddOutbox(std::span<const NewOutbox> rows, std::int64_t now_us);

 private:
  Store& store_;
  Connection& c_;
};

/// A message recorded but not yet confirmed by the broker.
struct OutboxRow {
  Id id = 0;
  std::string routing_key;
  std::string queue;  ///< declared before publishing; empty: publish only
  std::string body;
  std::int64_t created_us = 0;
};

/// Where an appended log chunk left the log of one build attempt.
struct LogAppend {
  int attempt = 0;          ///< the attempt written to
  std::int64_t length = 0;  ///< bytes in that attempt's log now
  bool cut = false;         ///< the log reached its limit: text past it was dropped
};

/// A read of one attempt's log from a byte offset.
struct LogRead {
  std::string text;         ///< the bytes after the offset
  int attempt = 0;          ///< 0: the job has never been Building
  std::int64_t length = 0;  ///< bytes in that attempt's log
  bool finished = false;    ///< the job is Done, Uploaded, Failed or Cancelled
};

/// Jobs of one status and target (GET /metrics).
struct JobCount {
  std::string status;  ///< empty: none recorded
  std::string dist, arch, suite, format;
  std::int64_t jobs = 0;
};

class GroupCommitter;
class JobCache;

/// How much build log the store keeps (docs/protocol.md, "Build logs").
struct LogLimits {
  /// Bytes of one attempt's log; past them the log ends with a line saying
  /// where and why it was cut, and later text is dropped.
  std::int64_t bytes_per_attempt = std::int64_t{32} << 20;
  /// Only the logs of a job's last N attempts are kept; 0: all.
  int keep_attempts = 0;
  /// Logs of attempts begun more than D days ago are deleted by Upkeep
  /// (not while their job is Building); 0: kept for ever.
  int keep_days = 0;
};

struct StoreOptions {
  /// Jobs GetJob keeps in memory (store/job_cache.h); 0: none. About half a
  /// kilobyte each.
  std::size_t job_cache = 65536;
  LogLimits logs;
};

class Store {
 public:
  explicit Store(std::unique_ptr<Database> db, StoreOptions opts = {});
  ~Store();
  Database& db() { return *db_; }

  /// For a write transaction on `c` that changed these jobs (their status,
  /// client or row): once it commits, GetJob reads them afresh, in this
  /// process and, on PostgreSQL, in every controller on the database (a
  /// NOTIFY sent with the transaction). SubmitTx and the job writes below
  /// call it; so must any other code that changes a job.
  void JobsChanged(Connection& c, std::span<const Id> ids);
  /// The same for every job (a change to rows many jobs show).
  void AllJobsChanged(Connection& c);
  /// For a write transaction on `c` that added rows to jobs' histories (new
  /// jobs included): once it commits, the observer of OnJobsCommitted runs.
  /// JobsChanged and AllJobsChanged call it.
  void HistoryWritten(Connection& c);
  /// `fn` runs, on the committing thread, after each transaction of this
  /// process that wrote jobs' histories (GET /events wakes up); it must not
  /// block. Replaces the one before; nullptr removes it.
  void OnJobsCommitted(std::function<void()> fn);
  /// `fn` runs, on a thread of its own, when another controller on the
  /// database changed jobs (their NOTIFY), and each time listening begins
  /// (changes made meanwhile went unheard). nullptr where the database has
  /// no other controllers (SQLite).
  std::unique_ptr<Subscription> ListenForJobChanges(std::function<void()> fn);
  /// Jobs in the job cache now (0 while it is off).
  std::size_t CachedJobs();

  /// Runs `fn` in a write transaction and returns once it is committed.
  /// On SQLite concurrent callers share one transaction and one fsync
  /// (group_commit.h); on PostgreSQL each has its own. The frequent writes
  /// (submissions, status reports, log chunks, outbox deletions) go
  /// through here.
  void Write(const std::function<void(Connection&)>& fn);

  /// Creates or upgrades the schema to the newest migration.
  void Migrate();
  /// Applies the migrations up to `version` only (tests of upgrades).
  void MigrateTo(int version);
  /// The schema version stored in the database (0: empty).
  int SchemaVersion();
  /// Table upkeep that autovacuum, looking once a minute, does too late.
  /// On PostgreSQL:
  ///  - ANALYZE of the job tables with more than 500 + 10% changed rows
  ///    since their statistics were gathered (autovacuum's rule): a farm
  ///    that goes from empty to thousands of jobs in seconds otherwise runs
  ///    on plans made for empty tables;
  ///  - VACUUM of the outbox once it holds more than 2,000 dead rows: every
  ///    row is deleted once its publish is confirmed, and the dead ones slow
  ///    the sweep's plan and scan until a vacuum.
  /// On both stores, at most every 10 minutes: the logs of attempts older
  /// than LogLimits::keep_days are deleted (ExpireLogs). Returns the
  /// statements run.
  std::vector<std::string> Upkeep();
  /// Deletes the logs of attempts begun before `began_before_us` whose job
  /// is not Building now; returns the attempts' chunks deleted.
  std::int64_t ExpireLogs(std::int64_t began_before_us);

  Catalog LoadCatalog();

  // Lookup tables (arch, dist, suite, format, status, buildd, env).
  std::vector<Lookup> ListLookups(LookupKind kind, Page page);
  std::int64_t CountLookups(LookupKind kind);
  Lookup GetLookup(LookupKind kind, Id id);                       // NotFound
  Lookup CreateLookup(LookupKind kind, const std::string& name);  // Conflict
  void DeleteLookup(LookupKind kind, Id id);                      // NotFound, Conflict
  std::optional<Lookup> FindLookup(LookupKind kind, const std::string& name);
  /// Get-or-create (build clients announce themselves by name).
  Lookup EnsureLookup(LookupKind kind, const std::string& name);

  // Packages.
  std::vector<Package> ListPackages(Page page);
  std::int64_t CountPackages();
  Package GetPackage(Id id);
  Package CreatePackage(const std::string& name, const std::string& version);
  void DeletePackage(Id id);
  std::vector<std::string> PackageNames();
  std::vector<Package> PackageDetails(const std::string& name,
                                      const std::optional<std::string>& version);
  /// True when any job of the package is unfinished.
  bool PackageActive(Id id);

  // Package instances.
  std::vector<PackageInstance> ListInstances(Page page);
  std::int64_t CountInstances();
  PackageInstance GetInstance(Id id);
  PackageInstance CreateInstance(Id package_id, Id arch_id, std::optional<Id> buildenv_id,
                                 Id suite_id, Id dist_id, Id format_id, bool master);
  void DeleteInstance(Id id);
  std::vector<PackageInstance> InstancesOfPackage(const std::string& name);
  void SetMaster(Id id, bool master);

  // Suite arches and build-env mappings.
  std::vector<SuiteArch> ListSuiteArches(Page page);
  std::int64_t CountSuiteArches();
  SuiteArch GetSuiteArch(Id id);
  SuiteArch CreateSuiteArch(Id suite_id, Id arch_id, std::int64_t master_weight);
  SuiteArch SetSuiteArchWeight(Id id, std::int64_t master_weight);  // NotFound
  void DeleteSuiteArch(Id id);
  std::vector<BuildEnvSuiteArch> ListEnvSuiteArches(Page page);
  std::int64_t CountEnvSuiteArches();
  BuildEnvSuiteArch GetEnvSuiteArch(Id id);
  BuildEnvSuiteArch CreateEnvSuiteArch(Id buildenv_id, Id suitearch_id);
  /// NotFound (the row, the env or the suite arch), Conflict (the pair exists).
  BuildEnvSuiteArch SetEnvSuiteArch(Id id, Id buildenv_id, Id suitearch_id);
  void DeleteEnvSuiteArch(Id id);

  // Blacklist.
  std::vector<Blacklist> ListBlacklist(Page page);
  std::int64_t CountBlacklist();
  Blacklist GetBlacklist(Id id);
  Blacklist CreateBlacklist(const std::string& field, const std::string& regex);
  Blacklist SetBlacklist(Id id, const std::string& field, const std::string& regex);  // NotFound
  void DeleteBlacklist(Id id);

  // Jobs.
  std::vector<Job> ListJobs(const JobFilter& f, Page page);
  std::int64_t CountJobs(const JobFilter& f);
  /// From the job cache when it holds the job (see JobsChanged).
  Job GetJob(Id id);
  /// The job when the job cache holds it; never touches the database (only
  /// the cache's short in-memory lock), so an I/O thread may call it.
  std::optional<Job> CachedJob(Id id);
  std::vector<JobHistory> JobHistoryOf(Id id);  // NotFound
  std::optional<Transport> BuildRequestOf(Id job_id, std::string* env_name);
  /// Records a status as SubmitTx::ReportStatus does, in a transaction of its
  /// own, with no check of the life cycle: the controller's Report checks
  /// it (controller/transitions.h).
  void ReportStatus(Id job_id, const std::string& status, const std::optional<std::string>& client,
                    std::int64_t now_us);
  void DeleteJob(Id id);

  // Leases (store_leases.cc).
  /// The lease of a job (NotFound).
  JobLease LeaseOf(Id job_id);
  /// Building jobs whose holder was last heard from before `heard_before_us`,
  /// oldest first, at most `limit`.
  std::vector<Id> LapsedLeases(std::int64_t heard_before_us, int limit);
  /// `client` was heard from now (created if new); so was the job `job_id`,
  /// when given, if `client` holds it Building. `queues`, when given, are
  /// the queues it consumes now (comma-separated).
  void Heard(const std::string& client, std::optional<Id> job_id, std::int64_t now_us,
             const std::optional<std::string>& queues = std::nullopt);
  /// When each build client was last heard from, by name.
  std::vector<ClientHeard> ClientsHeard();
  std::optional<ClientHeard> ClientHeardOf(const std::string& name);

  // Build logs (store_logs.cc). An attempt is one Building period: attempt N
  // of a job is written while it has had N Building statuses.
  /// Appends `data` (UTF-8) at byte `offset` of an attempt (nullopt: the
  /// latest). Idempotent: the part of a retried chunk below the current
  /// length is skipped, up to the next character boundary. Past
  /// LogLimits::bytes_per_attempt the log is cut (a last line says so) and
  /// later text is dropped, without an error. NotFound for an unknown job;
  /// Conflict when `offset` is past the current length (naming it), the
  /// attempt has not started, or it is finished (a later attempt began, or
  /// the job is Uploaded, Failed or Cancelled).
  LogAppend AppendLog(Id job_id, std::optional<int> attempt, std::int64_t offset,
                      const std::string& data);
  /// The log of an attempt (nullopt: the latest) after byte `offset`.
  /// NotFound for an unknown job or attempt.
  LogRead ReadLog(Id job_id, std::optional<int> attempt, std::int64_t offset);

  // Figures for GET /metrics (store_stats.cc).
  /// Jobs by current status and target, one query.
  std::vector<JobCount> JobCounts();
  /// Messages recorded in the outbox and not yet confirmed by the broker.
  std::int64_t OutboxBacklog();

  // Outbox.
  std::vector<OutboxRow> PendingOutbox(std::int64_t created_before_us, int limit);
  void DeleteOutbox(const std::vector<Id>& ids);

 private:
  std::unique_ptr<Subscription> ListenForJobChanges();

  std::unique_ptr<Database> db_;
  std::unique_ptr<GroupCommitter> committer_;  ///< SQLite only
  std::unique_ptr<JobCache> job_cache_;
  LogLimits log_limits_;
  std::int64_t next_log_expiry_us_ = 0;  ///< Upkeep's thread only
  /// Hears other controllers' JobsChanged (PostgreSQL); destroyed first, as
  /// its thread writes to the cache.
  std::unique_ptr<Subscription> job_changes_;
  std::mutex observer_mu_;
  std::shared_ptr<const std::function<void()>> on_jobs_committed_;
};

}  // namespace cbit::store
