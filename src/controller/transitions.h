// The job life cycle as a table (docs/design.md, "Job life cycle"): which
// status a job may take next, and who may move it. Pure logic: the caller
// reads the job under its row lock, asks DecideReport, and writes (or
// refuses) in the same transaction, so two concurrent reports cannot both
// pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace cbit::controller {

/// A job as a report finds it.
struct JobHold {
  std::string status;                 ///< current status; empty: none recorded
  std::optional<std::string> holder;  ///< the job's build client
};

/// A status report (PUT /job/<id>).
struct StatusReport {
  std::string status;
  /// The client the report names (form field `client`); it becomes the
  /// job's build client.
  std::optional<std::string> client;
  /// The client the caller's credentials are bound to, when they are bound
  /// to one (a builder's token); it then is who reports, whatever `client`
  /// says. Unset: the report's `client` is taken at its word.
  std::optional<std::string> caller;
  /// Taking over a Building job from a client that went silent: the holder
  /// the reporter saw (form field `takeover`). Accepted only while that
  /// client still holds the job, so two clients cannot both take it over.
  std::optional<std::string> takeover;

  /// Who reports: the bound caller, else the named client (none: an
  /// anonymous report, e.g. the watcher's or pyBit's client's final one).
  const std::optional<std::string>& reporter() const { return caller ? caller : client; }
};

/// Whether a job in status `from` may take status `to` at all (repeats
/// excluded), whoever asks. Statuses outside the life cycle (added through
/// POST /status) are never entered; a job found in one may go anywhere a
/// Waiting job may.
bool Allowed(std::string_view from, std::string_view to);

/// True when no status follows `status` (Uploaded, Failed, Cancelled).
bool IsTerminal(std::string_view status);

enum class Verdict {
  kApply,        ///< write the new status (and client)
  kRepeat,       ///< the job has this status already: accepted, nothing written
  kWrongStatus,  ///< refused: not a transition of the life cycle
  kWrongHolder,  ///< refused: another client holds the job
};

struct Decision {
  Verdict verdict = Verdict::kApply;
  std::string reason;  ///< for refusals: names the statuses or the holder
  bool refused() const {
    return verdict == Verdict::kWrongStatus || verdict == Verdict::kWrongHolder;
  }
};

/// The verdict on `report` for job `job_id` found as `now`:
/// - a report naming a client must name the job's holder, except a claim
///   (Building) of a Waiting or Blocked job, or a takeover naming the
///   current holder;
/// - the same status again by its holder (or anonymously) is a repeat,
///   except Building, which a holder reports again when it starts the job
///   afresh (a new attempt);
/// - anything else must be a transition of the table.
Decision DecideReport(Id job_id, const JobHold& now, const StatusReport& report);

}  // namespace cbit::controller
