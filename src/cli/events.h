// Status changes of jobs as `cbit watch` shows them, behind one interface:
// from the controller's event stream (GET /events), or by polling the job
// lists where a controller has none.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/wait.h"

namespace cbit::cli {

struct StatusEvent {
  std::int64_t job = 0;
  std::string status;
  std::string time;  ///< the API's time of the change ("" when unknown)
};

class EventStream {
 public:
  virtual ~EventStream() = default;
  /// The changes since the last call (the first call: every watched job's
  /// current status); may wait up to one poll period, may be empty.
  virtual std::vector<StatusEvent> Next() = 0;
};

/// The current states of the given jobs, or with `jobs` empty of every job
/// in the lists of Waiting, Blocked and Building jobs and of each job of
/// `known` not finished that left them (its history says how). Finished
/// jobs of `known` are not read again.
std::map<std::int64_t, JobState> ReadStates(Context& ctx, const StateSource& read,
                                            const std::vector<std::int64_t>& jobs,
                                            const std::map<std::int64_t, JobState>& known);

/// Polls the controller every `poll` (ReadStates).
std::unique_ptr<EventStream> PollingEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                           std::chrono::milliseconds poll);

/// Follows GET /events (reconnecting with Last-Event-ID when the connection
/// drops): the first call gives the jobs' current states, each later one
/// what the stream brought within `wait`. Polls every `wait` instead when
/// the controller has no event stream (or refuses it).
std::unique_ptr<EventStream> ControllerEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                              std::chrono::milliseconds wait);

}  // namespace cbit::cli
