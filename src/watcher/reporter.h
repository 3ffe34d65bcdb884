// Reports the outcome of each upload to the controller: finds the job, appends
// reprepro's message to its build log, then reports Uploaded or Failed. A
// report the controller cannot take now (unreachable, 5xx) waits and is
// retried with a doubling delay; the repository is never processed again for
// it. With a Spool, each report is on disk from Add until the controller has
// it, and Resume picks up what an earlier run left (docs/design.md).
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/model.h"
#include "watcher/controller_api.h"
#include "watcher/spool.h"

namespace cbit::watcher {

class Reporter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{300000};
    /// How long an upload waits for its job (Building, Waiting or Blocked)
    /// to turn Done: a client uploads with dput before it reports Done, so
    /// the watcher can be first.
    std::chrono::milliseconds building_grace{120000};
    /// Optional: hears each upload's outcome as it is added (metrics).
    std::function<void(const UploadOutcome&)> added;
    /// Optional: hears how many reports wait after each change.
    std::function<void(std::size_t)> waiting;
  };

  /// `spool`: where reports wait on disk; nullptr: in memory only.
  Reporter(ControllerApi& api, Options opts, Spool* spool = nullptr)
      : api_(api), opts_(std::move(opts)), spool_(spool) {}

  /// Keeps the report (on disk first, with a spool) until it is sent.
  void Add(UploadOutcome outcome, Clock::time_point now);
  /// Takes up the reports an earlier run left in the spool, due now.
  void Resume(Clock::time_point now);
  /// Sends every report that is due; keeps those to retry.
  void Flush(Clock::time_point now);
  /// When the next waiting report is due; nullopt when none waits.
  std::optional<Clock::time_point> NextDue() const;
  std::size_t pending() const { return pending_.size(); }
  /// True when a report of the upload `changes` (a .changes file name) waits.
  bool Holds(const std::string& changes) const;

 private:
  struct Pending {
    UploadOutcome outcome;
    Clock::time_point added, due;
    std::chrono::milliseconds delay{0};
    std::optional<Id> job;
    std::optional<LogEnd> log_end;  ///< where our text goes; kept across retries
    bool log_sent = false;
    std::string spool_path;  ///< its file in the spool; empty: none
    bool manual = false;     ///< no job of it: nothing to report
  };
  /// True when the report is finished (sent or given up).
  bool Send(Pending& p, Clock::time_point now);
  void Waiting() const {
    if (opts_.waiting) opts_.waiting(pending_.size());
  }
  /// The job the report goes to; nullopt to wait (p.due set) or when there
  /// is none (p.manual set).
  std::optional<Id> FindDoneJob(Pending& p, Clock::time_point now);
  /// Records the job and log end of `p` in its spool file, before any of
  /// its text is appended.
  void Remember(const Pending& p);

  ControllerApi& api_;
  Options opts_;
  Spool* spool_;
  std::deque<Pending> pending_;
};

}  // namespace cbit::watcher
