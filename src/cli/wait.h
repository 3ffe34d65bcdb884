// Following jobs to their end (`cbit submit --wait`): their status changes
// from an event stream (events.h), progress on one updating line on a
// terminal, a line per change otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cli/app.h"

namespace cbit::cli {

/// A job's current status and the time it was entered.
struct JobState {
  std::string status, time;
};

/// Reads the current state of a job (GET /job/<id>/status in the program).
using StateSource = std::function<JobState(std::int64_t job)>;

/// "12s  2 Building, 1 Waiting": the one-line summary of `states`.
std::string ProgressLine(const std::map<std::int64_t, JobState>& states, std::int64_t elapsed);

class EventStream;

/// Reads `events` until each of `jobs` has finished (job_view.h
/// IsFinished), writing progress to `ctx.io.err` and the end of each job to
/// `ctx.io.out`. kFailed when any ended Failed or Cancelled.
ExitCode WaitForJobs(Context& ctx, const std::vector<std::int64_t>& jobs, EventStream& events);

/// The StateSource of the controller (unreachable moments are retried for
/// up to 5 minutes).
StateSource ControllerStates(Context& ctx);

}  // namespace cbit::cli
