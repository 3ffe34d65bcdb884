#include "web/job_rows.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/wire.h"
#include "web/router.h"

namespace cbit::web {
namespace {

std::int64_t Number(const httpd::Request& req, const char* key, std::int64_t min,
                    std::int64_t max) {
  const std::string v = req.get_param_value(key);
  auto n = ParseDecimal(v);
  if (!n || *n < min || *n > max)
    throw HttpError(400, std::string(key) + " '" + v + "' is not a number from " +
                             std::to_string(min) + " to " + std::to_string(max));
  return *n;
}

// `since`/`until`: microseconds since the epoch, as `time_us` shows them.
void TimeBound(const httpd::Request& req, const char* key, std::int64_t& out) {
  if (req.has_param(key)) out = Number(req, key, 1, INT64_MAX);
}

void Str(JsonWriter& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v);
}

// `sort` and `order`, and the cursor of a sorted page: `after` (an id) and
// `key` (that row's value in the column). `before` belongs to the
// newest-first order alone.
void ReadOrder(const httpd::Request& req, store::JobPageQuery& q) {
  if (req.has_param("sort")) q.sort = req.get_param_value("sort");
  const auto columns = store::JobSortColumns();
  if (std::find(columns.begin(), columns.end(), q.sort) == columns.end()) {
    std::string names;
    for (std::string_view c : columns) names += (names.empty() ? "" : ", ") + std::string(c);
    throw HttpError(400, "sort '" + q.sort + "' is not a column: " + names);
  }
  const std::string order = req.has_param("order") ? req.get_param_value("order") : "desc";
  if (order != "asc" && order != "desc")
    throw HttpError(400, "order '" + order + "' is not asc or desc");
  q.ascending = order == "asc";
  if (q.before_id && (q.sort != "id" || q.ascending))
    throw HttpError(400, "before pages the newest-first order only; use after and key");
  if (!req.has_param("after")) return;
  q.after_id = Number(req, "after", 1, INT64_MAX);
  if (q.sort == "id") return;
  if (!req.has_param("key"))
    throw HttpError(400, "key is missing: after needs the row's " + q.sort);
  q.after_key = req.get_param_value("key");
  if (store::NumericJobSort(q.sort) && !ParseDecimal(q.after_key))
    throw HttpError(400, "key '" + q.after_key + "' is not a number");
}

}  // namespace

bool WantsJobPage(const httpd::Request& req) { return req.has_param("limit"); }

store::JobPageQuery ReadJobPage(const httpd::Request& req, store::JobFilter filter) {
  store::JobPageQuery q{.filter = std::move(filter)};
  q.limit = Number(req, "limit", 1, kMaxJobPage);
  if (req.has_param("before")) q.before_id = Number(req, "before", 1, INT64_MAX);
  TimeBound(req, "since", q.since_us);
  TimeBound(req, "until", q.until_us);
  ReadOrder(req, q);
  return q;
}

bool WantsRows(const httpd::Request& req) {
  if (!req.has_param("view")) return false;
  const std::string v = req.get_param_value("view");
  if (v != "rows" && v != "job") throw HttpError(400, "view '" + v + "' is not rows or job");
  return v == "rows";
}

std::string JobRowsJson(const std::vector<store::JobRow>& rows) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& [j, status_time_us] : rows) {
    const PackageInstance& pi = j.instance;
    w.BeginObject();
    w.Key("id");
    w.Int(j.id);
    Str(w, "package", pi.package.name);
    Str(w, "version", pi.package.version);
    Str(w, "arch", pi.arch.name);
    Str(w, "dist", pi.dist.name);
    Str(w, "suite", pi.suite.name);
    Str(w, "format", pi.format.name);
    w.Key("buildenv");
    pi.build_env ? w.String(pi.build_env->name) : w.Null();
    Str(w, "status", j.status);
    w.Key("client");
    j.buildclient ? w.String(j.buildclient->name) : w.Null();
    w.Key("time");
    status_time_us ? w.String(wire::FormatTime(status_time_us)) : w.Null();
    w.Key("time_us");
    status_time_us ? w.Int(status_time_us) : w.Null();
    w.Key("instance");
    w.Int(pi.id);
    w.Key("master");
    w.Bool(pi.master);
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

}  // namespace cbit::web
