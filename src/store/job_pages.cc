// Pages of the job list (store/job_pages.h), keyset-paged on (column, id).
//
// A column the job rows hold or reach through an index (id, package,
// version, time) is one query ordered by it. A lookup (arch, status,
// client, …) is sorted by its name, which no index of the job table
// holds: the page is read one lookup row at a time instead, in name order,
// each group's jobs by id, until the page is full. Lookup tables are
// small, and each group's read stops after the page's rows. A lookup of
// the package instance is read per job (a correlated subquery), so that
// both backends walk the jobs by id and stop early instead of sorting
// every job of the group; an instance lookup no instance uses is skipped
// before that walk, which would read every job for nothing.
#include "store/job_pages.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>

#include "core/debian.h"
#include "store/store_rows.h"

namespace cbit::store {
namespace {

using detail::Query;

#define CBIT_OF_INSTANCE(column) \
  "(SELECT x." column " FROM packageinstance x WHERE x.id = j.packageinstance_id)"

struct SortColumn {
  std::string_view name;
  /// Ordered by this expression (a missing time compares as 0), or empty:
  /// by the name of the lookup row `group` refers to.
  std::string_view key;
  std::string_view group, table;
  bool nullable = false;  ///< `group` may be NULL: those jobs sort as "" does
  /// For a lookup of the instance: its column in packageinstance.
  std::string_view instance_column;
};
constexpr SortColumn kSortColumns[] = {
    {"id", "j.id"},
    {"package", "p.name"},
    {"version", "p.version_key"},
    {"arch", "", CBIT_OF_INSTANCE("arch_id"), "arch", false, "arch_id"},
    {"suite", "", CBIT_OF_INSTANCE("suite_id"), "suite", false, "suite_id"},
    {"dist", "", CBIT_OF_INSTANCE("dist_id"), "distribution", false, "dist_id"},
    {"format", "", CBIT_OF_INSTANCE("format_id"), "format", false, "format_id"},
    {"buildenv", "", CBIT_OF_INSTANCE("buildenv_id"), "buildenv", true, "buildenv_id"},
    {"status", "", "j.status_id", "status", true},
    {"client", "", "j.buildclient_id", "buildclients", true},
    {"time", "COALESCE(j.status_time, 0)"},
};
constexpr std::array<std::string_view, std::size(kSortColumns)> kSortNames = [] {
  std::array<std::string_view, std::size(kSortColumns)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = kSortColumns[i].name;
  return out;
}();

const SortColumn& SortColumnNamed(std::string_view name) {
  for (const SortColumn& c : kSortColumns)
    if (c.name == name) return c;
  throw std::invalid_argument("no job column '" + std::string(name) + "' to sort by");
}

Param NumericKey(const JobPageQuery& q) {
  std::int64_t n = 0;
  const char* end = q.after_key.data() + q.after_key.size();
  auto r = std::from_chars(q.after_key.data(), end, n);
  if (r.ec != std::errc() || r.ptr != end)
    throw std::invalid_argument("the " + q.sort + " '" + q.after_key + "' is not a number");
  return n;
}

// The page's rows before ordering: the list's columns and the time of the
// current status, the filters and the time bounds.
std::string PageSql(const JobPageQuery& q, std::vector<Param>& params) {
  std::string sql(detail::SelectJobsSql());
  sql.insert(sql.find(" FROM "), ", j.status_time");
  params = detail::AppendJobFilter(q.filter, sql);
  auto bound = [&](std::int64_t value, const char* condition) {
    if (value <= 0) return;
    params.emplace_back(value);
    sql += condition + std::to_string(params.size());
  };
  bound(q.before_id, " AND j.id < $");
  bound(q.since_us, " AND j.status_time >= $");
  bound(q.until_us, " AND j.status_time < $");
  return sql;
}

std::string Placeholder(std::vector<Param>& params, Param p) {
  params.push_back(std::move(p));
  return "$" + std::to_string(params.size());
}

void AppendOrder(const JobPageQuery& q, std::string_view key, std::int64_t limit,
                 std::vector<Param>& params, std::string& sql) {
  const char* dir = q.ascending ? "" : " DESC";
  sql += " ORDER BY ";
  if (key != "j.id") sql += std::string(key) + dir + ", ";
  sql += std::string("j.id") + dir + " LIMIT " + Placeholder(params, limit);
}

std::vector<JobRow> Read(Store& store, std::string sql, std::vector<Param> params) {
  return detail::ListWithNames(
      store.db(), std::move(sql), std::move(params),
      [](const Result& r, std::size_t row, const detail::LookupNames& names) {
        return JobRow{detail::ListedJobAt(r, row, names), r.null(row, 13) ? 0 : r.i64(row, 13)};
      });
}

// One query ordered by (key, id), from beyond the cursor; the cursor is a
// row value, which both backends compare as the index is ordered.
std::vector<JobRow> KeyedPage(Store& store, const JobPageQuery& q, const SortColumn& col) {
  std::vector<Param> params;
  std::string sql = PageSql(q, params);
  if (q.after_id > 0) {
    const char* beyond = q.ascending ? " > " : " < ";
    if (col.key == "j.id") {
      sql += " AND j.id" + (beyond + Placeholder(params, q.after_id));
    } else {
      const bool numeric = NumericJobSort(col.name);
      const std::string key =
          Placeholder(params, numeric                 ? NumericKey(q)
                              : col.name == "version" ? Param(debian::VersionSortKey(q.after_key))
                                                      : Param(q.after_key));
      sql += " AND (" + std::string(col.key) + ", j.id)" + beyond + "(" + key + ", " +
             Placeholder(params, q.after_id) + ")";
    }
  }
  AppendOrder(q, col.key, q.limit, params, sql);
  return Read(store, std::move(sql), std::move(params));
}

struct Group {
  std::optional<Id> id;  ///< nullopt: the jobs whose column is NULL
  std::string name;
};

// The lookup's rows in the page's order ("" for NULL first when ascending),
// from the cursor's group on; `in_cursor` tells whether the first holds the
// cursor row.
std::vector<Group> GroupsFrom(Store& store, const JobPageQuery& q, const SortColumn& col,
                              bool& in_cursor) {
  std::vector<Group> groups;
  if (col.nullable) groups.push_back({std::nullopt, ""});
  Result r = Query(store.db(), "SELECT id, name FROM " + std::string(col.table) +
                                   " ORDER BY name, id");  // a table of kSortColumns
  for (std::size_t i = 0; i < r.rows(); ++i) groups.push_back({r.i64(i, 0), r.text(i, 1)});
  if (!q.ascending) std::reverse(groups.begin(), groups.end());
  in_cursor = false;
  if (q.after_id <= 0) return groups;
  auto at = std::find_if(groups.begin(), groups.end(),
                         [&](const Group& g) { return g.name == q.after_key; });
  in_cursor = at != groups.end();
  if (!in_cursor) {  // a name no row has (any longer): the groups beyond it
    at = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
      return q.ascending ? g.name > q.after_key : g.name < q.after_key;
    });
  }
  groups.erase(groups.begin(), at);
  return groups;
}

// False when no package instance has the group's value: no job has it.
bool InstancesHave(Store& store, const SortColumn& col, const Group& g) {
  if (col.instance_column.empty()) return true;
  const std::string sql = "SELECT 1 FROM packageinstance WHERE " +
                          std::string(col.instance_column) + (g.id ? " = $1" : " IS NULL") +
                          " LIMIT 1";
  if (!g.id) return !Query(store.db(), sql).empty();
  return !Query(store.db(), sql, {*g.id}).empty();
}

std::vector<JobRow> GroupedPage(Store& store, const JobPageQuery& q, const SortColumn& col) {
  bool in_cursor = false;
  std::vector<JobRow> page;
  for (const Group& g : GroupsFrom(store, q, col, in_cursor)) {
    if (!InstancesHave(store, col, g)) {
      in_cursor = false;
      continue;
    }
    std::vector<Param> params;
    std::string sql = PageSql(q, params);
    sql += " AND " + std::string(col.group);
    sql += g.id ? " = " + Placeholder(params, *g.id) : std::string(" IS NULL");
    if (in_cursor)
      sql += std::string(" AND j.id") + (q.ascending ? " > " : " < ") +
             Placeholder(params, q.after_id);
    in_cursor = false;
    AppendOrder(q, "j.id", q.limit - static_cast<std::int64_t>(page.size()), params, sql);
    for (JobRow& row : Read(store, std::move(sql), std::move(params)))
      page.push_back(std::move(row));
    if (static_cast<std::int64_t>(page.size()) >= q.limit) break;
  }
  return page;
}

}  // namespace

std::span<const std::string_view> JobSortColumns() { return kSortNames; }

bool NumericJobSort(std::string_view column) { return column == "id" || column == "time"; }

std::vector<JobRow> ListJobPage(Store& store, const JobPageQuery& q) {
  const SortColumn& col = SortColumnNamed(q.sort);
  return col.key.empty() ? GroupedPage(store, q, col) : KeyedPage(store, q, col);
}

}  // namespace cbit::store
