// Internal to the store: the SELECT fragments several queries share, the
// decoders that turn their rows into model values, and the translation of
// database errors into NotFound / Conflict with a useful message.
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/model.h"
#include "store/db.h"
#include "store/store.h"

namespace cbit::store::detail {

// Fragments are macros so that whole queries stay compile-time constants
// (string-literal concatenation), with no static initialisation order to
// worry about between files.

// 15 columns, decoded by InstanceAt.
#define CBIT_INSTANCE_COLUMNS                                                          \
  "pi.id, p.id, p.name, p.version, a.id, a.name, be.id, be.name, s.id, s.name, d.id, " \
  "d.name, f.id, f.name, pi.master"
#define CBIT_INSTANCE_JOINS                                                             \
  " JOIN package p ON p.id = pi.package_id JOIN arch a ON a.id = pi.arch_id"            \
  " LEFT JOIN buildenv be ON be.id = pi.buildenv_id JOIN suite s ON s.id = pi.suite_id" \
  " JOIN distribution d ON d.id = pi.dist_id JOIN format f ON f.id = pi.format_id"
#define CBIT_INSTANCE_FROM " FROM packageinstance pi" CBIT_INSTANCE_JOINS

// Lists read lookup ids instead, and every lookup table's (few) rows in the
// same round trip (kLookupNames, decoded by LookupNames); the names are put
// in by id. Joining the lookup tables per row made PostgreSQL plan a join of
// up to ten tables at each call and send every name once per row
// (docs/performance.md).
// 10 columns, decoded by ListedInstanceAt.
#define CBIT_INSTANCE_ID_COLUMNS                                                          \
  "pi.id, p.id, p.name, p.version, pi.arch_id, pi.buildenv_id, pi.suite_id, pi.dist_id, " \
  "pi.format_id, pi.master"
#define CBIT_INSTANCE_NARROW_FROM " FROM packageinstance pi JOIN package p ON p.id = pi.package_id"

/// Every lookup row: kind (LookupNames::Kind), id, name. Read it after the
/// rows that refer to lookups: foreign keys keep every referenced lookup
/// row, so every id those rows name is found.
inline constexpr std::string_view kLookupNames =
    "SELECT 0, id, name FROM arch UNION ALL SELECT 1, id, name FROM buildenv"
    " UNION ALL SELECT 2, id, name FROM suite UNION ALL SELECT 3, id, name FROM distribution"
    " UNION ALL SELECT 4, id, name FROM format UNION ALL SELECT 5, id, name FROM buildclients"
    " UNION ALL SELECT 6, id, name FROM status";

/// Names by id of the lookup rows a list shows (the rows of kLookupNames).
class LookupNames {
 public:
  enum Kind { kArch, kBuildEnv, kSuite, kDist, kFormat, kBuildClient, kStatus, kKinds };
  explicit LookupNames(const Result& r);
  /// The lookup of `kind` whose id is in column `col` (NULL: none).
  std::optional<Lookup> At(Kind kind, const Result& r, std::size_t row, std::size_t col) const;

 private:
  std::array<std::unordered_map<Id, std::string>, kKinds> names_;
};

// 19 columns, decoded by JobAt: the job, its instance, client and status.
#define CBIT_JOB_COLUMNS "j.id, " CBIT_INSTANCE_COLUMNS ", bc.id, bc.name, st.name"
#define CBIT_JOB_FROM                                                                       \
  " FROM job j JOIN packageinstance pi ON pi.id = j.packageinstance_id" CBIT_INSTANCE_JOINS \
  " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id"                                  \
  " LEFT JOIN status st ON st.id = j.status_id"

// 6 columns, decoded by SuiteArchAt.
#define CBIT_SUITEARCH_COLUMNS "sa.id, s.id, s.name, a.id, a.name, sa.master_weight"
#define CBIT_SUITEARCH_JOINS " JOIN suite s ON s.id = sa.suite_id JOIN arch a ON a.id = sa.arch_id"

// Unfinished = current status not Uploaded, Done or Cancelled (docs/design.md, "Job life cycle"); a
// job without any status yet counts as unfinished.
#define CBIT_FINISHED_STATUSES "('Uploaded', 'Done', 'Cancelled')"
#define CBIT_UNFINISHED "(st.name IS NULL OR st.name NOT IN " CBIT_FINISHED_STATUSES ")"

/// The instance of a package for one combination, if it exists ($1 package,
/// $2 dist, $3 suite, $4 format, $5 arch, $6 build env or NULL).
inline constexpr std::string_view kFindInstance =
    "SELECT id, master FROM packageinstance WHERE package_id = $1 AND dist_id = $2 AND suite_id = "
    "$3 "
    "AND format_id = $4 AND arch_id = $5 AND buildenv_id IS NOT DISTINCT FROM $6";

/// An optional id as a parameter (NULL when absent).
inline Param OptId(std::optional<Id> id) { return id ? Param(*id) : Param(); }

/// The table behind a lookup kind, and the word for it in messages.
std::string_view TableOf(LookupKind kind);
std::string_view NounOf(LookupKind kind);

/// The list query of a lookup table ($1 limit, $2 offset); in store.cc.
const std::string& ListLookupsSql(LookupKind kind);

/// LIMIT and OFFSET parameters for a page (page 0: everything).
std::int64_t PageLimit(Page p);
std::int64_t PageOffset(Page p);

Lookup LookupAt(const Result& r, std::size_t row, std::size_t col);
std::optional<Lookup> OptLookupAt(const Result& r, std::size_t row, std::size_t col);
PackageInstance InstanceAt(const Result& r, std::size_t row, std::size_t col);
/// An instance read with CBIT_INSTANCE_ID_COLUMNS from column `col`.
PackageInstance ListedInstanceAt(const Result& r, std::size_t row, std::size_t col,
                                 const LookupNames& names);
Job JobAt(const Result& r, std::size_t row);
/// The job lists' query (store_jobs.cc): "SELECT <13 columns: the job's id,
/// CBIT_INSTANCE_ID_COLUMNS, client id, status id> FROM … WHERE true", to
/// which conditions are appended; ListedJobAt decodes its rows.
std::string_view SelectJobsSql();
Job ListedJobAt(const Result& r, std::size_t row, const LookupNames& names);
/// Appends " AND …" for each field of `f` that is set, on $1, $2, …; the
/// parameters.
std::vector<Param> AppendJobFilter(const JobFilter& f, std::string& sql);
/// A job's lease ($1 the job): status, client, when last heard from (the
/// status's time when never), build attempts so far (Building statuses).
inline constexpr std::string_view kJobLease =
    "SELECT st.name, bc.name, COALESCE(j.last_heard, j.status_time, 0),"
    " (SELECT count(*) FROM jobstatus js WHERE js.job_id = j.id AND js.status_id ="
    "  (SELECT id FROM status WHERE name = 'Building'))"
    " FROM job j LEFT JOIN status st ON st.id = j.status_id"
    " LEFT JOIN buildclients bc ON bc.id = j.buildclient_id WHERE j.id = $1";
/// A job's lease from a row of status, client, last heard, attempts
/// (store_leases.cc); NotFound when the result is empty.
JobLease LeaseAt(const Result& r, Id job_id);
SuiteArch SuiteArchAt(const Result& r, std::size_t row, std::size_t col);

/// Runs one statement on a pooled connection outside any transaction.
Result Query(Database& db, std::string_view sql, std::span<const Param> params);
/// Runs statements in order on one pooled connection (one round trip on
/// PostgreSQL) and returns the rows of each.
std::vector<Result> QueryAll(Database& db, std::span<const Statement> statements);
/// Runs a list query whose rows name lookups by id, with kLookupNames in the
/// same round trip; `decode(result, row, names)` makes each element.
template <typename Decode>
auto ListWithNames(Database& db, std::string sql, std::vector<Param> params, Decode decode) {
  const Statement statements[] = {{std::move(sql), std::move(params)},
                                  {std::string(kLookupNames), {}}};
  std::vector<Result> r = QueryAll(db, statements);
  const LookupNames names(r[1]);
  std::vector<decltype(decode(r[0], 0, names))> out;
  out.reserve(r[0].rows());
  for (std::size_t i = 0; i < r[0].rows(); ++i) out.push_back(decode(r[0], i, names));
  return out;
}
inline Result Query(Database& db, std::string_view sql, std::initializer_list<Param> params = {}) {
  return Query(db, sql, std::span<const Param>(params.begin(), params.size()));
}

/// A row a new row refers to, checked when an insert fails on a foreign key.
struct Ref {
  std::string_view table;
  std::string_view noun;
  std::optional<Id> id;
};

/// Runs `fn` (a write transaction); a unique violation becomes
/// Conflict(`duplicate`), a foreign-key violation NotFound naming the first
/// of `refs` that does not exist.
Result InsertChecked(Database& db, const std::function<Result(Connection&)>& fn,
                     const std::string& duplicate, std::initializer_list<Ref> refs);

/// Deletes with `sql` (…WHERE id = $1 RETURNING id): NotFound when no row
/// went, Conflict naming the table that still refers to it.
void DeleteChecked(Database& db, std::string_view sql, std::string_view table,
                   std::string_view noun, Id id);

/// "no arch with id 7".
std::string NoSuch(std::string_view noun, Id id);

}  // namespace cbit::store::detail
