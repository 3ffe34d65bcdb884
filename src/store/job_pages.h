// Pages of the job list for the dashboard (GET /job?limit=…): the filters
// of GET /job, newest first or sorted by a column, keyset-paged on
// (column, id), bounded by when each job reached its current status, with
// that time in each row.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace cbit::store {

struct JobPageQuery {
  JobFilter filter;
  Id before_id = 0;  ///< only jobs with a smaller id; 0: the newest
  /// Only jobs whose current status was reached in [since_us, until_us);
  /// 0: no bound.
  std::int64_t since_us = 0, until_us = 0;
  std::int64_t limit = 50;
  /// A name of JobSortColumns(); ties in the column go by id, in the same
  /// direction.
  std::string sort = "id";
  bool ascending = false;
  /// The keyset cursor: only rows after (after_key, after_id) in this
  /// order; 0: from the first. after_key is the sort column's value in that
  /// row (a missing name is "", a missing time 0); unused for "id".
  Id after_id = 0;
  std::string after_key;
};

struct JobRow {
  Job job;
  std::int64_t status_time_us = 0;  ///< when the current status was reached
};

/// The columns a page sorts by: id, package, version, arch, suite, dist,
/// format, buildenv, status, client, time (when the current status was
/// reached). Versions sort as text, not in Debian's order.
std::span<const std::string_view> JobSortColumns();
/// True for "id" and "time", whose after_key is a number.
bool NumericJobSort(std::string_view column);

/// At most `q.limit` jobs in the query's order; std::invalid_argument for a
/// sort column not in JobSortColumns() or a numeric after_key that is not
/// a number.
std::vector<JobRow> ListJobPage(Store& store, const JobPageQuery& q);

}  // namespace cbit::store
