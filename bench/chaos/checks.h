// What a fault-injection run checks once the farm has stopped, from the
// controller's database (job histories), the repository (reprepro and its
// pool) and /proc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/chaos/faults.h"
#include "core/model.h"
#include "store/db.h"

namespace cbit::chaos {

struct Findings {
  int jobs = 0;  ///< job rows of the run's suite
  int uploaded = 0, failed = 0, cancelled = 0;
  int lost = 0;           ///< packages submitted without a job, or without an Uploaded one
  int duplicated = 0;     ///< packages Done twice, Uploaded by two jobs, or published twice
  int stuck = 0;          ///< jobs not in a final status at the end
  int missing_files = 0;  ///< published packages whose pool files are not all there
  double longest_job_seconds = 0;                  ///< first status → final status
  std::map<std::string, double> recovery_seconds;  ///< longest, per fault kind
  std::vector<std::string> problems;               ///< one line each, for the report
  /// Each job stuck or Failed: its id, package and history (one line per
  /// status, seconds from the run's start), for the report.
  struct Troubled {
    Id id = 0;
    std::string package;
    std::vector<std::string> history;
    std::int64_t first_us = 0, last_us = 0;  ///< its first and last status
  };
  std::vector<Troubled> troubled;
};

/// Checks the jobs of `suite` against the `packages` submitted, and the
/// repository at `repo`. `faults` give the recovery times: for each fault,
/// how long after it struck the last job then being built or published
/// reached its final status.
Findings CheckRun(std::unique_ptr<store::Database> db, const std::string& suite,
                  const std::vector<std::string>& packages, const std::string& repo,
                  const std::vector<Fault>& faults, std::int64_t start_us);

/// "+12.3 s" from `start_us` (system clock, microseconds).
std::string SinceStart(std::int64_t us, std::int64_t start_us);

}  // namespace cbit::chaos
