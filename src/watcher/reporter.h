// Reports the outcome of each upload to the controller: finds the job, appends
// reprepro's message to its build log, then reports Uploaded or Failed. A
// report the controller cannot take now (unreachable, 5xx) waits and is
// retried with a doubling delay; the repository is never processed again for
// it. Reports are kept in memory only: a watcher restarted while the
// controller is down loses the ones still waiting (docs/design.md).
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "core/model.h"
#include "watcher/controller_api.h"

namespace cbit::watcher {

/// What happened to one upload.
struct UploadOutcome {
  std::string changes;  ///< the .changes file name
  std::string source, version;
  std::string arch;  ///< the job's arch (from the file name); empty: any arch
  bool published = false;
  std::string log;  ///< appended to the job's build log
};

class Reporter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{300000};
    /// How long an upload waits for its job to turn Done: a client uploads
    /// with dput before it reports Done, so the watcher can be first.
    std::chrono::milliseconds building_grace{120000};
  };

  Reporter(ControllerApi& api, Options opts) : api_(api), opts_(opts) {}

  void Add(UploadOutcome outcome, Clock::time_point now);
  /// Sends every report that is due; keeps those to retry.
  void Flush(Clock::time_point now);
  /// When the next waiting report is due; nullopt when none waits.
  std::optional<Clock::time_point> NextDue() const;
  std::size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    UploadOutcome outcome;
    Clock::time_point added, due;
    std::chrono::milliseconds delay{0};
    std::optional<Id> job;
    std::optional<LogEnd> log_end;  ///< where our text goes; kept across retries
    bool log_sent = false;
  };
  /// True when the report is finished (sent or given up).
  bool Send(Pending& p, Clock::time_point now);

  ControllerApi& api_;
  Options opts_;
  std::deque<Pending> pending_;
};

}  // namespace cbit::watcher
