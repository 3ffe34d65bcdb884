// Store: packages and package instances.
#include "core/debian.h"
#include "store/store.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::InstanceAt;
using detail::OptId;
using detail::PageLimit;
using detail::PageOffset;
using detail::Query;

constexpr std::string_view kListPackages =
    "SELECT id, name, version FROM package ORDER BY name, id LIMIT $1 OFFSET $2";
constexpr std::string_view kCountPackages = "SELECT count(*) FROM package";
constexpr std::string_view kGetPackage = "SELECT id, name, version FROM package WHERE id = $1";
constexpr std::string_view kInsertPackage =
    "INSERT INTO package (name, version, version_key) VALUES ($1, $2, $3) RETURNING id";
constexpr std::string_view kDeletePackage = "DELETE FROM package WHERE id = $1 RETURNING id";
constexpr std::string_view kPackageNames = "SELECT DISTINCT name FROM package ORDER BY name";
constexpr std::string_view kPackagesNamed =
    "SELECT id, name, version FROM package WHERE name = $1 ORDER BY id";
constexpr std::string_view kPackagesNamedVersion =
    "SELECT id, name, version FROM package WHERE name = $1 AND version = $2 ORDER BY id";
constexpr std::string_view kPackageActive =
    "SELECT p.id, EXISTS (SELECT 1 FROM packageinstance pi"
    " JOIN job j ON j.packageinstance_id = pi.id LEFT JOIN status st ON st.id = j.status_id"
    " WHERE pi.package_id = p.id AND " CBIT_UNFINISHED ") FROM package p WHERE p.id = $1";

// Lists read lookup ids, not names (store_rows.h: kLookupNames); the whole
// list goes without LIMIT (store_jobs.cc says why).
#define CBIT_LIST_INSTANCES \
  "SELECT " CBIT_INSTANCE_ID_COLUMNS CBIT_INSTANCE_NARROW_FROM " ORDER BY pi.id"
constexpr std::string_view kListInstances = CBIT_LIST_INSTANCES;
constexpr std::string_view kListInstancesPage = CBIT_LIST_INSTANCES " LIMIT $1 OFFSET $2";
constexpr std::string_view kCountInstances = "SELECT count(*) FROM packageinstance";
constexpr std::string_view kGetInstance =
    "SELECT " CBIT_INSTANCE_COLUMNS CBIT_INSTANCE_FROM " WHERE pi.id = $1";
constexpr std::string_view kInstancesOfPackage =
    "SELECT " CBIT_INSTANCE_ID_COLUMNS CBIT_INSTANCE_NARROW_FROM
    " WHERE p.name = $1 ORDER BY pi.id";
constexpr std::string_view kInsertInstance =
    "INSERT INTO packageinstance (package_id, arch_id, buildenv_id, suite_id, dist_id, format_id,"
    " master) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr std::string_view kDeleteInstance =
    "DELETE FROM packageinstance WHERE id = $1 RETURNING id";
constexpr std::string_view kSetMaster =
    "UPDATE packageinstance SET master = $2 WHERE id = $1 RETURNING id";

std::vector<Package> PackagesOf(const Result& r) {
  std::vector<Package> out;
  for (std::size_t i = 0; i < r.rows(); ++i)
    out.push_back({r.i64(i, 0), r.text(i, 1), r.text(i, 2)});
  return out;
}

// The instances `sql` selects (CBIT_INSTANCE_ID_COLUMNS), names put in.
std::vector<PackageInstance> ListInstancesBy(Database& db, std::string_view sql,
                                             std::vector<Param> params) {
  return detail::ListWithNames(
      db, std::string(sql), std::move(params),
      [](const Result& r, std::size_t row, const detail::LookupNames& names) {
        return detail::ListedInstanceAt(r, row, 0, names);
      });
}

}  // namespace

std::vector<Package> Store::ListPackages(Page page) {
  return PackagesOf(Query(*db_, kListPackages, {PageLimit(page), PageOffset(page)}));
}

std::int64_t Store::CountPackages() { return Query(*db_, kCountPackages).i64(0, 0); }

Package Store::GetPackage(Id id) {
  auto all = PackagesOf(Query(*db_, kGetPackage, {id}));
  if (all.empty()) throw NotFound(detail::NoSuch("package", id));
  return all.front();
}

Package Store::CreatePackage(const std::string& name, const std::string& version) {
  try {
    return Package{
        Query(*db_, kInsertPackage, {name, version, debian::VersionSortKey(version)}).i64(0, 0),
        name, version};
  } catch (const DbError& e) {
    if (e.kind != DbErrorKind::kUnique) throw;
    throw Conflict("package '" + name + "' version '" + version + "' already exists");
  }
}

void Store::DeletePackage(Id id) {
  detail::DeleteChecked(*db_, kDeletePackage, "package", "package", id);
}

std::vector<std::string> Store::PackageNames() {
  Result r = Query(*db_, kPackageNames);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
  return out;
}

std::vector<Package> Store::PackageDetails(const std::string& name,
                                           const std::optional<std::string>& version) {
  if (version) return PackagesOf(Query(*db_, kPackagesNamedVersion, {name, *version}));
  return PackagesOf(Query(*db_, kPackagesNamed, {name}));
}

bool Store::PackageActive(Id id) {
  Result r = Query(*db_, kPackageActive, {id});
  if (r.empty()) throw NotFound(detail::NoSuch("package", id));
  return r.boolean(0, 1);
}

std::vector<PackageInstance> Store::ListInstances(Page page) {
  if (page.number < 1) return ListInstancesBy(*db_, kListInstances, {});
  return ListInstancesBy(*db_, kListInstancesPage, {PageLimit(page), PageOffset(page)});
}

std::int64_t Store::CountInstances() { return Query(*db_, kCountInstances).i64(0, 0); }

PackageInstance Store::GetInstance(Id id) {
  Result r = Query(*db_, kGetInstance, {id});
  if (r.empty()) throw NotFound(detail::NoSuch("package instance", id));
  return InstanceAt(r, 0, 0);
}

PackageInstance Store::CreateInstance(Id package_id, Id arch_id, std::optional<Id> buildenv_id,
                                      Id suite_id, Id dist_id, Id format_id, bool master) {
  const std::string duplicate = "package instance of package " + std::to_string(package_id) +
                                " for this combination already exists";
  Result r = detail::InsertChecked(
      *db_,
      [&](Connection& c) {
        // Checked here too: SQLite's unique index lets NULL build envs repeat.
        if (!c.Exec(detail::kFindInstance,
                    {package_id, dist_id, suite_id, format_id, arch_id, OptId(buildenv_id)})
                 .empty()) {
          throw Conflict(duplicate);
        }
        Id id = c.Exec(kInsertInstance, {package_id, arch_id, OptId(buildenv_id), suite_id, dist_id,
                                         format_id, std::int64_t{master}})
                    .i64(0, 0);
        return c.Exec(kGetInstance, {id});
      },
      duplicate,
      {{"package", "package", package_id},
       {"arch", "arch", arch_id},
       {"buildenv", "build environment", buildenv_id},
       {"suite", "suite", suite_id},
       {"distribution", "distribution", dist_id},
       {"format", "format", format_id}});
  return InstanceAt(r, 0, 0);
}

void Store::DeleteInstance(Id id) {
  detail::DeleteChecked(*db_, kDeleteInstance, "packageinstance", "package instance", id);
}

std::vector<PackageInstance> Store::InstancesOfPackage(const std::string& name) {
  return ListInstancesBy(*db_, kInstancesOfPackage, {name});
}

void Store::SetMaster(Id id, bool master) {
  InTransaction(*db_, true, [&](Connection& c) {
    if (c.Exec(kSetMaster, {id, std::int64_t{master}}).empty()) {
      throw NotFound(detail::NoSuch("package instance", id));
    }
    AllJobsChanged(c);  // every job of the instance shows the flag
  });
}

}  // namespace cbit::store
