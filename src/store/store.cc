// Store: schema migrations and the lookup tables.
#include "store/store.h"

#include <array>

#include "core/lookup_kind.h"
#include "store/group_commit.h"
#include "store/job_cache.h"
#include "store/migrations.h"
#include "store/store_rows.h"
#include "store/version_keys.h"
#include "util/clock.h"

namespace cbit::store {
namespace {

using detail::LookupAt;
using detail::NounOf;
using detail::Query;
using detail::TableOf;

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
// A database made by pyBit itself has its tables but no schema_version: it
// is adopted as version 1 rather than created again.
constexpr std::string_view kSeedVersion =
    "INSERT INTO schema_version (version) SELECT CAST($1 AS INTEGER) WHERE NOT EXISTS "
    "(SELECT 1 FROM schema_version)";
// Updating the row first takes its lock, so that two processes migrating at
// once apply each step once (PostgreSQL); SQLite's BEGIN IMMEDIATE already
// serialises them.
constexpr std::string_view kLockVersion =
    "UPDATE schema_version SET version = version RETURNING version";
constexpr std::string_view kSetVersion = "UPDATE schema_version SET version = $1";
constexpr std::string_view kSelectVersion = "SELECT version FROM schema_version";

// Lookup statements are written once with a {table} placeholder and
// expanded for the seven tables on first use.
constexpr std::string_view kListLookups =
    "SELECT id, name FROM {table} ORDER BY name LIMIT $1 OFFSET $2";
constexpr std::string_view kCountLookups = "SELECT count(*) FROM {table}";
constexpr std::string_view kGetLookup = "SELECT id, name FROM {table} WHERE id = $1";
constexpr std::string_view kFindLookup = "SELECT id, name FROM {table} WHERE name = $1";
constexpr std::string_view kInsertLookup = "INSERT INTO {table} (name) VALUES ($1) RETURNING id";
constexpr std::string_view kEnsureLookup =
    "INSERT INTO {table} (name) VALUES ($1) "
    "ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id";
constexpr std::string_view kDeleteLookup = "DELETE FROM {table} WHERE id = $1 RETURNING id";

struct LookupSql {
  std::string list, count, get, find, insert, ensure, del;
};

const LookupSql& SqlFor(LookupKind kind) {
  static const auto all = [] {
    constexpr std::string_view kPlaceholder = "{table}";
    std::array<LookupSql, kLookupKinds.size()> out;
    for (const LookupKindInfo& info : kLookupKinds) {
      auto expand = [&](std::string_view tmpl) {
        std::string s(tmpl);
        s.replace(s.find(kPlaceholder), kPlaceholder.size(), info.table);
        return s;
      };
      out[static_cast<std::size_t>(info.kind)] = {
          expand(kListLookups),  expand(kCountLookups), expand(kGetLookup),   expand(kFindLookup),
          expand(kInsertLookup), expand(kEnsureLookup), expand(kDeleteLookup)};
    }
    return out;
  }();
  return all[static_cast<std::size_t>(kind)];
}

bool TableExists(Connection& c, const std::string& table) {
  return c.Exec(c.capabilities().table_exists_sql, {table}).i64(0, 0) > 0;
}

}  // namespace

const std::string& detail::ListLookupsSql(LookupKind kind) { return SqlFor(kind).list; }

Store::Store(std::unique_ptr<Database> db, StoreOptions opts)
    : db_(std::move(db)), log_limits_(opts.logs) {
  if (db_->capabilities().group_commit) committer_ = std::make_unique<GroupCommitter>(*db_);
  job_cache_ = std::make_unique<JobCache>(opts.job_cache, /*enabled=*/false);
  if (opts.job_cache > 0) job_changes_ = ListenForJobChanges();
  if (!job_changes_) job_cache_->SetEnabled(true);  // no other controller to hear
}

Store::~Store() = default;

void Store::Write(const std::function<void(Connection&)>& fn) {
  if (committer_) {
    committer_->Run(fn);
  } else {
    InTransaction(*db_, true, fn);
  }
}

void Store::Migrate() { MigrateTo(LatestSchemaVersion()); }

void Store::MigrateTo(int target) {
  InTransaction(*db_, true, [&](Connection& c) {
    c.ExecScript(kCreateVersionTable);
    c.Exec(kSeedVersion, {std::int64_t{TableExists(c, "jobstatus") ? 1 : 0}});
  });
  // One transaction per step: a failed step leaves the previous version.
  for (const Migration& m : Migrations()) {
    if (m.version > target) break;
    InTransaction(*db_, true, [&](Connection& c) {
      if (c.Exec(kLockVersion).i64(0, 0) >= m.version) return;
      c.ExecScript(ExpandDdl(m.ddl, c.capabilities()));
      if (m.fill) m.fill(c);
      c.Exec(kSetVersion, {std::int64_t{m.version}});
    });
  }
}

std::vector<std::string> Store::Upkeep() {
  std::vector<std::string> done;
  const std::int64_t now = NowMicros();
  // Packages an older controller sharing the database inserted without a
  // sort key; the write lock is taken only when there are any.
  if (!Query(*db_, "SELECT 1 FROM package WHERE version_key IS NULL LIMIT 1", {}).empty()) {
    std::int64_t n = InTransaction(*db_, true, [](Connection& c) { return FillVersionKeys(c); });
    done.push_back("sort keys for " + std::to_string(n) + " package versions");
  }
  if (log_limits_.keep_days > 0 && now >= next_log_expiry_us_) {
    constexpr std::int64_t kDayUs = std::int64_t{86400} * 1000000;
    ExpireLogs(now - log_limits_.keep_days * kDayUs);
    done.emplace_back("expire logs older than " + std::to_string(log_limits_.keep_days) + " days");
    next_log_expiry_us_ = now + std::int64_t{600} * 1000000;
  }
  // SQLite's plans here do not hang on statistics (joins are ordered with
  // CROSS JOIN and MATERIALIZED), an ANALYZE would take the write lock past
  // the writers' queue, and deleted rows leave no dead versions behind.
  if (!db_->capabilities().planner_statistics) return done;
  // The outbox is not analyzed: it stays nearly empty (rows live until
  // their publish is confirmed), so it passed the threshold on every check,
  // and its sweep goes by an index whatever the statistics say.
  Result r = Query(*db_,
                   "SELECT CASE WHEN relname = 'outbox' THEN 'VACUUM ' ELSE 'ANALYZE ' END"
                   " || relname FROM pg_stat_user_tables"
                   " WHERE (relname IN ('job', 'jobstatus', 'package', 'packageinstance',"
                   " 'buildrequest', 'joblog')"
                   " AND n_mod_since_analyze > 500 + 0.1 * n_live_tup)"
                   " OR (relname = 'outbox' AND n_dead_tup > 2000) ORDER BY relname",
                   {});
  std::vector<std::string> analyze;
  for (std::size_t i = 0; i < r.rows(); ++i) analyze.push_back(r.text(i, 0));
  // The statements are built from the fixed names above, never from input.
  for (const auto& statement : analyze) db_->Acquire()->ExecScript(statement);
  done.insert(done.end(), analyze.begin(), analyze.end());
  return done;
}

int Store::SchemaVersion() {
  return InTransaction(*db_, false, [&](Connection& c) {
    if (!TableExists(c, "schema_version")) return 0;
    Result r = c.Exec(kSelectVersion);
    return r.empty() ? 0 : static_cast<int>(r.i64(0, 0));
  });
}

const Lookup* Catalog::Find(LookupKind kind, std::string_view name) const {
  // The catalog's list of each kind; build clients are not cached (they come
  // and go).
  static constexpr std::array<std::vector<Lookup> Catalog::*, kLookupKinds.size()> kLists = [] {
    std::array<std::vector<Lookup> Catalog::*, kLookupKinds.size()> a{};
    a[static_cast<std::size_t>(LookupKind::kArch)] = &Catalog::arches;
    a[static_cast<std::size_t>(LookupKind::kDist)] = &Catalog::dists;
    a[static_cast<std::size_t>(LookupKind::kSuite)] = &Catalog::suites;
    a[static_cast<std::size_t>(LookupKind::kFormat)] = &Catalog::formats;
    a[static_cast<std::size_t>(LookupKind::kStatus)] = &Catalog::statuses;
    a[static_cast<std::size_t>(LookupKind::kBuildEnv)] = &Catalog::buildenvs;
    return a;
  }();
  auto list = kLists.at(static_cast<std::size_t>(kind));
  if (!list) return nullptr;
  for (const Lookup& l : this->*list) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

std::vector<Lookup> Store::ListLookups(LookupKind kind, Page page) {
  Result r = Query(*db_, SqlFor(kind).list, {detail::PageLimit(page), detail::PageOffset(page)});
  std::vector<Lookup> out;
  for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(LookupAt(r, i, 0));
  return out;
}

std::int64_t Store::CountLookups(LookupKind kind) {
  return Query(*db_, SqlFor(kind).count).i64(0, 0);
}

Lookup Store::GetLookup(LookupKind kind, Id id) {
  Result r = Query(*db_, SqlFor(kind).get, {id});
  if (r.empty()) throw NotFound(detail::NoSuch(NounOf(kind), id));
  return LookupAt(r, 0, 0);
}

Lookup Store::CreateLookup(LookupKind kind, const std::string& name) {
  try {
    return Lookup{Query(*db_, SqlFor(kind).insert, {name}).i64(0, 0), name};
  } catch (const DbError& e) {
    if (e.kind != DbErrorKind::kUnique) throw;
    throw Conflict(std::string(NounOf(kind)) + " '" + name + "' already exists");
  }
}

void Store::DeleteLookup(LookupKind kind, Id id) {
  // The job logic names the seeded statuses; without one, every submission
  // or report that needs it would fail. Statuses are never renamed, so the
  // name read here is the name of the row deleted below.
  if (kind == LookupKind::kStatus) {
    const Lookup row = GetLookup(kind, id);
    if (status::IsBuiltIn(row.name))
      throw Conflict("status '" + row.name + "' is built in and cannot be deleted");
  }
  detail::DeleteChecked(*db_, SqlFor(kind).del, TableOf(kind), NounOf(kind), id);
}

std::optional<Lookup> Store::FindLookup(LookupKind kind, const std::string& name) {
  Result r = Query(*db_, SqlFor(kind).find, {name});
  if (r.empty()) return std::nullopt;
  return LookupAt(r, 0, 0);
}

Lookup Store::EnsureLookup(LookupKind kind, const std::string& name) {
  return Lookup{Query(*db_, SqlFor(kind).ensure, {name}).i64(0, 0), name};
}

}  // namespace cbit::store
