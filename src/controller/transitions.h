// The job life cycle as a table (docs/design.md, "Job life cycle"): which
// status a job may take next, and who may move it. Pure logic: the caller
// reads the job under its row lock, asks DecideReport, and writes (or
// refuses) in the same transaction, so two concurrent reports cannot both
// pass.
#pragma once

#include <cstdint>
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
  /// Why (form field `reason`, e.g. a client's failure class and detail):
  /// recorded with the status in the job's history when the report moves it.
  std::optional<std::string> reason;

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

/// A Building job's lease as the controller's expiry finds it, under the
/// job's row lock.
struct LeaseHold {
  std::string status;
  std::optional<std::string> holder;
  std::int64_t last_heard_us = 0;  ///< the holder's last report, log append or renewal
  int attempts = 0;                ///< Building statuses so far
};

struct LeasePolicy {
  std::int64_t lease_us = std::int64_t{300} * 1000000;  ///< controller.lease_seconds
  int max_attempts = 3;                                 ///< controller.max_attempts
};

/// What the controller does about a lease: nothing (the job is not Building,
/// or its holder was heard from in time), or it moves the job itself —
/// Building → Waiting (a new attempt: its request is published again), or
/// Building → Failed once `max_attempts` attempts ran out of their leases.
struct ExpiryDecision {
  std::optional<std::string> to;  ///< the new status; nullopt: leave the job alone
  std::string reason;             ///< recorded in the job's history
};

/// The controller's own transition, decided on the job as its row lock
/// finds it at `now_us`, so that a report racing the expiry is decided
/// either before it (and renews the lease) or after it (and is refused).
ExpiryDecision DecideExpiry(const LeaseHold& now, std::int64_t now_us, const LeasePolicy& policy);

/// The verdict on a lease renewal by `client`: kApply when it holds the job
/// Building; otherwise refused with a reason naming the holder, or saying
/// the lease was lost.
Decision DecideRenewal(Id job_id, const JobHold& now, const std::string& client);

}  // namespace cbit::controller
