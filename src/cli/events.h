// Status changes of jobs as `cbit watch` shows them, behind one interface:
// today by polling the job lists; the controller's event stream (GET
// /events) can take its place without changing the command.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/app.h"

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

/// Polls the controller every `poll`: the given jobs' histories, or with
/// `jobs` empty the lists of Waiting, Blocked and Building jobs (and the
/// history of each job that left them).
std::unique_ptr<EventStream> PollingEvents(Context& ctx, std::vector<std::int64_t> jobs,
                                           std::chrono::milliseconds poll);

}  // namespace cbit::cli
