// Newest-first pages of the job list for the dashboard (GET /job?limit=…):
// the filters of GET /job, keyset-paged by id downwards, bounded by when
// each job reached its current status, with that time in each row.
#pragma once

#include <cstdint>
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
};

struct JobRow {
  Job job;
  std::int64_t status_time_us = 0;  ///< when the current status was reached
};

/// At most `q.limit` jobs, newest first.
std::vector<JobRow> ListJobPage(Store& store, const JobPageQuery& q);

}  // namespace cbit::store
