// GET /job's pages (docs/protocol.md, "Jobs"): `limit`, `before`,
// `since`, `until`, `sort`, `order`, `after`, `key` and `view=rows`, the flat shape the dashboard
// lists (the fields of a `status` event, so a page patches rows from the
// event stream).
#pragma once

#include <string>
#include <vector>

#include "core/model.h"
#include "httpd/message.h"
#include "store/job_pages.h"

namespace cbit::web {

inline constexpr std::int64_t kMaxJobPage = 500;

/// True when the request asks for a page (`limit` given).
bool WantsJobPage(const httpd::Request& req);
/// The page's bounds from the query (`limit`, 1..500, `before`, `since`,
/// `until`), its order (`sort`, `order`) and cursor (`after`, `key`) over
/// `filter`; HttpError 400 naming a malformed or unknown one.
store::JobPageQuery ReadJobPage(const httpd::Request& req, store::JobFilter filter);
/// True for `view=rows`; 400 for a view other than `rows` or `job`.
bool WantsRows(const httpd::Request& req);
/// Jobs in the flat shape: [{"id", "package", "version", "arch", "dist",
/// "suite", "format", "buildenv", "status", "client", "time", "time_us",
/// "instance", "master"}].
std::string JobRowsJson(const std::vector<store::JobRow>& rows);

}  // namespace cbit::web
