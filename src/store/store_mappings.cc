// Store: suite arches, build-env mappings, the blacklist, the outbox, and the
// catalog that gathers what submissions need.
#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::PageLimit;
using detail::PageOffset;
using detail::Query;
using detail::SuiteArchAt;

constexpr std::string_view kListSuiteArches =
    "SELECT " CBIT_SUITEARCH_COLUMNS " FROM suitearches sa" CBIT_SUITEARCH_JOINS
    " ORDER BY sa.master_weight DESC, sa.id LIMIT $1 OFFSET $2";
constexpr std::string_view kCountSuiteArches = "SELECT count(*) FROM suitearches";
constexpr std::string_view kGetSuiteArch =
    "SELECT " CBIT_SUITEARCH_COLUMNS " FROM suitearches sa" CBIT_SUITEARCH_JOINS
    " WHERE sa.id = $1";
constexpr std::string_view kInsertSuiteArch =
    "INSERT INTO suitearches (suite_id, arch_id, master_weight) VALUES ($1, $2, $3) RETURNING id";
constexpr std::string_view kSetSuiteArchWeight =
    "UPDATE suitearches SET master_weight = $2 WHERE id = $1 RETURNING id";
constexpr std::string_view kDeleteSuiteArch = "DELETE FROM suitearches WHERE id = $1 RETURNING id";

#define CBIT_ENV_SUITEARCH_SELECT                                           \
  "SELECT bsa.id, be.id, be.name, " CBIT_SUITEARCH_COLUMNS                  \
  " FROM buildenvsuitearch bsa JOIN buildenv be ON be.id = bsa.buildenv_id" \
  " JOIN suitearches sa ON sa.id = bsa.suitearch_id" CBIT_SUITEARCH_JOINS
constexpr std::string_view kListEnvSuiteArches =
    CBIT_ENV_SUITEARCH_SELECT " ORDER BY bsa.id LIMIT $1 OFFSET $2";
constexpr std::string_view kCountEnvSuiteArches = "SELECT count(*) FROM buildenvsuitearch";
constexpr std::string_view kGetEnvSuiteArch = CBIT_ENV_SUITEARCH_SELECT " WHERE bsa.id = $1";
constexpr std::string_view kInsertEnvSuiteArch =
    "INSERT INTO buildenvsuitearch (buildenv_id, suitearch_id) VALUES ($1, $2) RETURNING id";
constexpr std::string_view kSetEnvSuiteArch =
    "UPDATE buildenvsuitearch SET buildenv_id = $2, suitearch_id = $3 WHERE id = $1 RETURNING id";
constexpr std::string_view kDeleteEnvSuiteArch =
    "DELETE FROM buildenvsuitearch WHERE id = $1 RETURNING id";

constexpr std::string_view kListBlacklist =
    "SELECT id, field, regex FROM blacklist ORDER BY id LIMIT $1 OFFSET $2";
constexpr std::string_view kCountBlacklist = "SELECT count(*) FROM blacklist";
constexpr std::string_view kGetBlacklist = "SELECT id, field, regex FROM blacklist WHERE id = $1";
constexpr std::string_view kInsertBlacklist =
    "INSERT INTO blacklist (field, regex) VALUES ($1, $2) RETURNING id";
constexpr std::string_view kSetBlacklist =
    "UPDATE blacklist SET field = $2, regex = $3 WHERE id = $1 RETURNING id";
constexpr std::string_view kDeleteBlacklist = "DELETE FROM blacklist WHERE id = $1 RETURNING id";

constexpr std::string_view kPendingOutbox =
    "SELECT id, routing_key, queue, body, created FROM outbox WHERE created < $1"
    " ORDER BY created, id LIMIT $2";
// Ids go in fixed batches (unused slots NULL, which IN never matches) so one
// prepared statement serves every call.
constexpr int kOutboxBatch = 64;

std::vector<SuiteArch> SuiteArchesOf(const Result& r) {
  std::vector<SuiteArch> out;
  for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(SuiteArchAt(r, i, 0));
  return out;
}

std::vector<BuildEnvSuiteArch> EnvSuiteArchesOf(const Result& r) {
  std::vector<BuildEnvSuiteArch> out;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.i64(i, 0), detail::LookupAt(r, i, 1), SuiteArchAt(r, i, 3)});
  }
  return out;
}

std::vector<Blacklist> BlacklistOf(const Result& r) {
  std::vector<Blacklist> out;
  for (std::size_t i = 0; i < r.rows(); ++i)
    out.push_back({r.i64(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

std::vector<Lookup> AllLookups(Connection& c, LookupKind kind) {
  Result r = c.Exec(detail::ListLookupsSql(kind), {PageLimit({}), PageOffset({})});
  std::vector<Lookup> out;
  for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(detail::LookupAt(r, i, 0));
  return out;
}

const std::string& DeleteOutboxSql() {
  static const std::string sql = [] {
    std::string s = "DELETE FROM outbox WHERE id IN (";
    for (int i = 1; i <= kOutboxBatch; ++i) s += (i > 1 ? ", $" : "$") + std::to_string(i);
    return s + ")";
  }();
  return sql;
}

}  // namespace

std::vector<SuiteArch> Store::ListSuiteArches(Page page) {
  return SuiteArchesOf(Query(*db_, kListSuiteArches, {PageLimit(page), PageOffset(page)}));
}

std::int64_t Store::CountSuiteArches() { return Query(*db_, kCountSuiteArches).i64(0, 0); }

SuiteArch Store::GetSuiteArch(Id id) {
  auto all = SuiteArchesOf(Query(*db_, kGetSuiteArch, {id}));
  if (all.empty()) throw NotFound(detail::NoSuch("suite arch", id));
  return all.front();
}

SuiteArch Store::CreateSuiteArch(Id suite_id, Id arch_id, std::int64_t master_weight) {
  Result r = detail::InsertChecked(
      *db_,
      [&](Connection& c) {
        Id id = c.Exec(kInsertSuiteArch, {suite_id, arch_id, master_weight}).i64(0, 0);
        return c.Exec(kGetSuiteArch, {id});
      },
      "suite " + std::to_string(suite_id) + " already has arch " + std::to_string(arch_id),
      {{"suite", "suite", suite_id}, {"arch", "arch", arch_id}});
  return SuiteArchAt(r, 0, 0);
}

SuiteArch Store::SetSuiteArchWeight(Id id, std::int64_t master_weight) {
  if (Query(*db_, kSetSuiteArchWeight, {id, master_weight}).empty())
    throw NotFound(detail::NoSuch("suite arch", id));
  return GetSuiteArch(id);
}

void Store::DeleteSuiteArch(Id id) {
  detail::DeleteChecked(*db_, kDeleteSuiteArch, "suitearches", "suite arch", id);
}

std::vector<BuildEnvSuiteArch> Store::ListEnvSuiteArches(Page page) {
  return EnvSuiteArchesOf(Query(*db_, kListEnvSuiteArches, {PageLimit(page), PageOffset(page)}));
}

std::int64_t Store::CountEnvSuiteArches() { return Query(*db_, kCountEnvSuiteArches).i64(0, 0); }

BuildEnvSuiteArch Store::GetEnvSuiteArch(Id id) {
  auto all = EnvSuiteArchesOf(Query(*db_, kGetEnvSuiteArch, {id}));
  if (all.empty()) throw NotFound(detail::NoSuch("build environment suite arch", id));
  return all.front();
}

BuildEnvSuiteArch Store::CreateEnvSuiteArch(Id buildenv_id, Id suitearch_id) {
  Result r = detail::InsertChecked(
      *db_,
      [&](Connection& c) {
        Id id = c.Exec(kInsertEnvSuiteArch, {buildenv_id, suitearch_id}).i64(0, 0);
        return c.Exec(kGetEnvSuiteArch, {id});
      },
      "build environment " + std::to_string(buildenv_id) + " already serves suite arch " +
          std::to_string(suitearch_id),
      {{"buildenv", "build environment", buildenv_id},
       {"suitearches", "suite arch", suitearch_id}});
  return EnvSuiteArchesOf(r).front();
}

BuildEnvSuiteArch Store::SetEnvSuiteArch(Id id, Id buildenv_id, Id suitearch_id) {
  Result r =
      detail::InsertChecked(*db_,
                            [&](Connection& c) {
                              if (c.Exec(kSetEnvSuiteArch, {id, buildenv_id, suitearch_id}).empty())
                                throw NotFound(detail::NoSuch("build environment suite arch", id));
                              return c.Exec(kGetEnvSuiteArch, {id});
                            },
                            "build environment " + std::to_string(buildenv_id) +
                                " already serves suite arch " + std::to_string(suitearch_id),
                            {{"buildenv", "build environment", buildenv_id},
                             {"suitearches", "suite arch", suitearch_id}});
  return EnvSuiteArchesOf(r).front();
}

void Store::DeleteEnvSuiteArch(Id id) {
  detail::DeleteChecked(*db_, kDeleteEnvSuiteArch, "buildenvsuitearch",
                        "build environment suite arch", id);
}

std::vector<Blacklist> Store::ListBlacklist(Page page) {
  return BlacklistOf(Query(*db_, kListBlacklist, {PageLimit(page), PageOffset(page)}));
}

std::int64_t Store::CountBlacklist() { return Query(*db_, kCountBlacklist).i64(0, 0); }

Blacklist Store::GetBlacklist(Id id) {
  auto all = BlacklistOf(Query(*db_, kGetBlacklist, {id}));
  if (all.empty()) throw NotFound(detail::NoSuch("blacklist rule", id));
  return all.front();
}

Blacklist Store::CreateBlacklist(const std::string& field, const std::string& regex) {
  return Blacklist{Query(*db_, kInsertBlacklist, {field, regex}).i64(0, 0), field, regex};
}

Blacklist Store::SetBlacklist(Id id, const std::string& field, const std::string& regex) {
  if (Query(*db_, kSetBlacklist, {id, field, regex}).empty())
    throw NotFound(detail::NoSuch("blacklist rule", id));
  return Blacklist{id, field, regex};
}

void Store::DeleteBlacklist(Id id) {
  detail::DeleteChecked(*db_, kDeleteBlacklist, "blacklist", "blacklist rule", id);
}

Catalog Store::LoadCatalog() {
  // One read transaction, one query per table.
  return InTransaction(*db_, false, [](Connection& c) {
    Catalog cat;
    cat.arches = AllLookups(c, LookupKind::kArch);
    cat.dists = AllLookups(c, LookupKind::kDist);
    cat.suites = AllLookups(c, LookupKind::kSuite);
    cat.formats = AllLookups(c, LookupKind::kFormat);
    cat.statuses = AllLookups(c, LookupKind::kStatus);
    cat.buildenvs = AllLookups(c, LookupKind::kBuildEnv);
    const Param all[] = {PageLimit({}), PageOffset({})};
    cat.suitearches = SuiteArchesOf(c.Exec(kListSuiteArches, all));
    cat.env_suitearches = EnvSuiteArchesOf(c.Exec(kListEnvSuiteArches, all));
    cat.blacklist = BlacklistOf(c.Exec(kListBlacklist, all));
    return cat;
  });
}

std::vector<OutboxRow> Store::PendingOutbox(std::int64_t created_before_us, int limit) {
  Result r = Query(*db_, kPendingOutbox, {created_before_us, std::int64_t{limit}});
  std::vector<OutboxRow> out;
  for (std::size_t i = 0; i < r.rows(); ++i) {
    out.push_back({r.i64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.i64(i, 4)});
  }
  return out;
}

void Store::DeleteOutbox(const std::vector<Id>& ids) {
  if (ids.empty()) return;
  Write([&](Connection& c) {
    for (std::size_t start = 0; start < ids.size(); start += kOutboxBatch) {
      std::vector<Param> batch(kOutboxBatch);
      for (std::size_t i = start; i < ids.size() && i < start + kOutboxBatch; ++i) {
        batch[i - start] = ids[i];
      }
      c.Exec(DeleteOutboxSql(), batch);
    }
  });
}

}  // namespace cbit::store
