// The dashboard's overview: per target (dist, arch, suite, format), how many
// jobs wait, build or failed recently, counted in one grouped query over the
// jobs' current status (never the whole job list).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"

namespace cbit::store {

struct TargetCount {
  std::string dist, arch, suite, format, status;
  std::int64_t jobs = 0;
};

/// Jobs Waiting, Blocked or Building, and jobs that became Failed at or
/// after `failed_since_us`, by target and status.
std::vector<TargetCount> CountActiveJobs(Database& db, std::int64_t failed_since_us);

}  // namespace cbit::store
