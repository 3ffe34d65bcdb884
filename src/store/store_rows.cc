#include "store/store_rows.h"

#include <limits>

#include "core/lookup_kind.h"

namespace cbit::store::detail {
namespace {

// Which columns refer to each table: on a failed delete, the first of these
// that still holds the id is named in the Conflict message.
struct Referrer {
  std::string_view table, referrer, column;
};
constexpr Referrer kReferrers[] = {
    {"arch", "packageinstance", "arch_id"},
    {"arch", "suitearches", "arch_id"},
    {"distribution", "packageinstance", "dist_id"},
    {"suite", "packageinstance", "suite_id"},
    {"suite", "suitearches", "suite_id"},
    {"format", "packageinstance", "format_id"},
    {"status", "jobstatus", "status_id"},
    {"status", "job", "status_id"},
    {"buildclients", "job", "buildclient_id"},
    {"buildenv", "packageinstance", "buildenv_id"},
    {"buildenv", "buildenvsuitearch", "buildenv_id"},
    {"package", "packageinstance", "package_id"},
    {"packageinstance", "job", "packageinstance_id"},
    {"suitearches", "buildenvsuitearch", "suitearch_id"},
};

}  // namespace

std::string_view TableOf(LookupKind kind) { return InfoOf(kind).table; }

std::string_view NounOf(LookupKind kind) { return InfoOf(kind).noun; }

std::int64_t PageLimit(Page p) {
  return p.number >= 1 ? p.size : std::numeric_limits<std::int64_t>::max();
}

std::int64_t PageOffset(Page p) { return p.number >= 1 ? (p.number - 1) * p.size : 0; }

Lookup LookupAt(const Result& r, std::size_t row, std::size_t col) {
  return Lookup{r.i64(row, col), r.text(row, col + 1)};
}

std::optional<Lookup> OptLookupAt(const Result& r, std::size_t row, std::size_t col) {
  if (r.null(row, col)) return std::nullopt;
  return LookupAt(r, row, col);
}

PackageInstance InstanceAt(const Result& r, std::size_t row, std::size_t c) {
  PackageInstance pi;
  pi.id = r.i64(row, c);
  pi.package = Package{r.i64(row, c + 1), r.text(row, c + 2), r.text(row, c + 3)};
  pi.arch = LookupAt(r, row, c + 4);
  pi.build_env = OptLookupAt(r, row, c + 6);
  pi.suite = LookupAt(r, row, c + 8);
  pi.dist = LookupAt(r, row, c + 10);
  pi.format = LookupAt(r, row, c + 12);
  pi.master = r.boolean(row, c + 14);
  return pi;
}

Job JobAt(const Result& r, std::size_t row) {
  Job j;
  j.id = r.i64(row, 0);
  j.instance = InstanceAt(r, row, 1);
  j.buildclient = OptLookupAt(r, row, 16);
  if (!r.null(row, 18)) j.status = r.text(row, 18);
  return j;
}

LookupNames::LookupNames(const Result& r) {
  for (std::size_t i = 0; i < r.rows(); ++i) {
    const std::int64_t kind = r.i64(i, 0);
    if (kind >= 0 && kind < kKinds) names_[kind].emplace(r.i64(i, 1), r.text(i, 2));
  }
}

std::optional<Lookup> LookupNames::At(Kind kind, const Result& r, std::size_t row,
                                      std::size_t col) const {
  if (r.null(row, col)) return std::nullopt;
  const Id id = r.i64(row, col);
  auto it = names_[kind].find(id);
  return Lookup{id, it == names_[kind].end() ? std::string() : it->second};
}

PackageInstance ListedInstanceAt(const Result& r, std::size_t row, std::size_t c,
                                 const LookupNames& names) {
  PackageInstance pi;
  pi.id = r.i64(row, c);
  pi.package = Package{r.i64(row, c + 1), r.text(row, c + 2), r.text(row, c + 3)};
  pi.arch = *names.At(LookupNames::kArch, r, row, c + 4);
  pi.build_env = names.At(LookupNames::kBuildEnv, r, row, c + 5);
  pi.suite = *names.At(LookupNames::kSuite, r, row, c + 6);
  pi.dist = *names.At(LookupNames::kDist, r, row, c + 7);
  pi.format = *names.At(LookupNames::kFormat, r, row, c + 8);
  pi.master = r.boolean(row, c + 9);
  return pi;
}

SuiteArch SuiteArchAt(const Result& r, std::size_t row, std::size_t c) {
  return SuiteArch{r.i64(row, c), LookupAt(r, row, c + 1), LookupAt(r, row, c + 3),
                   r.i64(row, c + 5)};
}

namespace {

// Runs `fn` on a pooled connection, dropping the connection if it broke.
template <typename F>
auto OnConnection(Database& db, F&& fn) {
  auto conn = db.Acquire();
  try {
    return fn(*conn);
  } catch (const DbError& e) {
    if (e.kind == DbErrorKind::kUnavailable) conn.Discard();
    throw;
  }
}

}  // namespace

Result Query(Database& db, std::string_view sql, std::span<const Param> params) {
  return OnConnection(db, [&](Connection& c) { return c.Exec(sql, params); });
}

std::vector<Result> QueryAll(Database& db, std::span<const Statement> statements) {
  return OnConnection(db, [&](Connection& c) { return c.ExecAll(statements); });
}

std::string NoSuch(std::string_view noun, Id id) {
  return "no " + std::string(noun) + " with id " + std::to_string(id);
}

Result InsertChecked(Database& db, const std::function<Result(Connection&)>& fn,
                     const std::string& duplicate, std::initializer_list<Ref> refs) {
  try {
    return InTransaction(db, true, fn);
  } catch (const DbError& e) {
    if (e.kind == DbErrorKind::kUnique) throw Conflict(duplicate);
    if (e.kind != DbErrorKind::kForeignKey) throw;
    // Error path only: find out which referenced row is missing.
    for (const Ref& ref : refs) {
      if (!ref.id) continue;
      std::string sql = "SELECT 1 FROM " + std::string(ref.table) + " WHERE id = $1";
      if (Query(db, sql, {*ref.id}).empty()) throw NotFound(NoSuch(ref.noun, *ref.id));
    }
    throw Conflict(std::string("a referenced row is missing: ") + e.what());
  }
}

void DeleteChecked(Database& db, std::string_view sql, std::string_view table,
                   std::string_view noun, Id id) {
  try {
    if (Query(db, sql, {id}).empty()) throw NotFound(NoSuch(noun, id));
  } catch (const DbError& e) {
    if (e.kind != DbErrorKind::kForeignKey) throw;
    std::string what = std::string(noun) + " " + std::to_string(id) + " is still used";
    for (const Referrer& ref : kReferrers) {
      if (ref.table != table) continue;
      // Identifiers come from kReferrers, never from a caller.
      std::string check = "SELECT 1 FROM " + std::string(ref.referrer) + " WHERE " +
                          std::string(ref.column) + " = $1 LIMIT 1";
      if (!Query(db, check, {id}).empty())
        throw Conflict(what + " by " + std::string(ref.referrer));
    }
    throw Conflict(what);
  }
}

}  // namespace cbit::store::detail
