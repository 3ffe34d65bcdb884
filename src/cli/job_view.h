// Jobs as `cbit` shows them: the fields of the API's Job object (pyBit's
// shape) with the current status and its time from the job's history.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/table.h"

namespace cbit::cli {

struct JobRow {
  std::int64_t id = 0;
  std::string package, version, arch, suite, dist, format, client;
  std::string status, time;  ///< the last history row's; empty when not read
};

/// The row of one Job object; throws CliError when it is not one.
JobRow JobRowOf(const nlohmann::json& job);
/// The row of one object of GET /job?…&view=rows (status included).
JobRow JobRowOfView(const nlohmann::json& row);

/// Sets status, time and client from a job's history (GET /job/<id>/status).
void ApplyHistory(JobRow& row, const nlohmann::json& history);

/// The table of `rows`; STATUS and UPDATED columns only when `with_status`.
std::string JobTable(const std::vector<JobRow>& rows, bool with_status, std::int64_t now,
                     const Style& style);

/// Parses a JSON answer; throws CliError naming `what` when it is not JSON.
nlohmann::json ParseAnswer(const std::string& body, const std::string& what);
/// ParseAnswer of an answer that must be a JSON array.
nlohmann::json ParseList(const std::string& body, const std::string& what);

/// True for the statuses after which a job changes no more (for `--wait`):
/// Done (the build ended well; publishing may still come), Uploaded, Failed,
/// Cancelled.
bool IsFinished(const std::string& status);
/// True for Failed and Cancelled.
bool IsBad(const std::string& status);

}  // namespace cbit::cli
