#include "controller/transitions.h"

#include <array>
#include <utility>

#include "core/wire.h"

namespace cbit::controller {
namespace {

using namespace std::string_view_literals;

// Every transition of the life cycle, by anyone: submission and retry
// create jobs in Waiting (they never revive one); a client claims a Waiting
// or Blocked job, and reports on it while Building; the watcher publishes
// (or refuses) a Done one; cancel and superseding end unfinished ones.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTransitions{{
    {"Waiting", "Building"},
    {"Waiting", "Cancelled"},
    {"Blocked", "Building"},
    {"Blocked", "Cancelled"},
    {"Building", "Done"},
    {"Building", "Failed"},
    {"Building", "Blocked"},    // dependency wait: published again later
    {"Building", "Cancelled"},  // the client stopped on a CancelRequest
    {"Building", "Waiting"},    // the client stopped and handed the request back
    {"Done", "Uploaded"},
    {"Done", "Failed"},  // the repository refused the upload
}};

// A job found in no status, or in one the life cycle does not know, is
// treated as Waiting.
std::string_view Known(std::string_view s) {
  return status::IsBuiltIn(s) ? s : std::string_view(status::kWaiting);
}

bool IsClaim(std::string_view from, std::string_view to) {
  from = Known(from);
  return to == status::kBuilding && (from == status::kWaiting || from == status::kBlocked);
}

Decision Refuse(Verdict v, std::string reason) { return {v, std::move(reason)}; }

std::string JobName(Id id) { return "job " + std::to_string(id); }

Decision WrongHolder(Id id, const JobHold& now, const std::string& reporter) {
  return Refuse(Verdict::kWrongHolder, JobName(id) + " is held by " + *now.holder +
                                           ": a report from " + reporter + " is refused");
}

Decision WrongStatus(Id id, const JobHold& now, const std::string& to) {
  std::string from = now.status.empty() ? std::string("without a status") : now.status;
  std::string why = IsTerminal(now.status) ? " (" + now.status +
                                                 " is final; a retry builds the "
                                                 "package again as a new job)"
                                           : "";
  return Refuse(Verdict::kWrongStatus,
                JobName(id) + " is " + from + ": it cannot become " + to + why);
}

Decision LeaseLost(Id id, const JobHold& now, const std::string& client) {
  std::string from = now.status.empty() ? std::string("without a status") : now.status;
  if (now.holder && *now.holder != client)
    return Refuse(Verdict::kWrongHolder, JobName(id) + " is " + from + ", held by " + *now.holder +
                                             ": " + client + " holds no lease on it");
  if (!now.holder)
    return Refuse(Verdict::kWrongStatus, JobName(id) + " is " + from + ": client " + client +
                                             " does not hold it (a client claims a job by "
                                             "reporting Building)");
  return Refuse(Verdict::kWrongStatus, JobName(id) + " is " + from + ": client " + client +
                                           " lost its lease on it (the job is built again as "
                                           "a new attempt, or has ended)");
}

// Building again while Building: the holder starting afresh (a new
// attempt), a takeover from the holder the reporter names, or a repeat.
Decision BuildingAgain(Id id, const JobHold& now, const StatusReport& r) {
  const auto& who = r.reporter();
  if (!who) return {Verdict::kRepeat, {}};
  if (!now.holder || *now.holder == *who) return {Verdict::kApply, {}};
  if (r.takeover && *r.takeover == *now.holder) return {Verdict::kApply, {}};
  if (r.takeover) {
    return Refuse(Verdict::kWrongHolder, JobName(id) + " is held by " + *now.holder + ", not " +
                                             *r.takeover + ": the takeover by " + *who +
                                             " is refused");
  }
  return WrongHolder(id, now, *who);
}

}  // namespace

bool Allowed(std::string_view from, std::string_view to) {
  from = Known(from);
  for (const auto& [f, t] : kTransitions)
    if (f == from && t == to) return true;
  return false;
}

bool IsTerminal(std::string_view s) {
  return s == status::kUploaded || s == status::kFailed || s == status::kCancelled;
}

Decision DecideReport(Id job_id, const JobHold& now, const StatusReport& r) {
  const auto& who = r.reporter();
  bool holder_differs = who && now.holder && *now.holder != *who;
  if (r.status == now.status) {
    if (r.status == status::kBuilding) return BuildingAgain(job_id, now, r);
    if (holder_differs) return WrongHolder(job_id, now, *who);
    return {Verdict::kRepeat, {}};
  }
  if (!Allowed(now.status, r.status)) return WrongStatus(job_id, now, r.status);
  if (holder_differs && !IsClaim(now.status, r.status)) return WrongHolder(job_id, now, *who);
  // A client names itself only about a job it builds: a Waiting or Blocked
  // job it still appears on is one whose lease it lost (or handed back).
  const std::string_view from = Known(now.status);
  if (who && !IsClaim(now.status, r.status) &&
      (from == status::kWaiting || from == status::kBlocked))
    return LeaseLost(job_id, now, *who);
  return {Verdict::kApply, {}};
}

Decision DecideRenewal(Id job_id, const JobHold& now, const std::string& client) {
  if (now.status == status::kBuilding && now.holder == client) return {Verdict::kApply, {}};
  if (now.status == status::kBuilding && now.holder) return WrongHolder(job_id, now, client);
  return LeaseLost(job_id, now, client);
}

ExpiryDecision DecideExpiry(const LeaseHold& now, std::int64_t now_us, const LeasePolicy& policy) {
  if (now.status != status::kBuilding) return {};
  if (now_us - now.last_heard_us <= policy.lease_us) return {};
  std::string reason = "lease expired: client " + now.holder.value_or("(none)") +
                       " not heard from since " + wire::FormatTime(now.last_heard_us) +
                       " (attempt " + std::to_string(now.attempts) + " of " +
                       std::to_string(policy.max_attempts) + ")";
  std::string to = now.attempts >= policy.max_attempts ? status::kFailed : status::kWaiting;
  // The controller's moves are transitions of the table like any other.
  if (!Allowed(now.status, to)) return {};
  return {to, std::move(reason)};
}

}  // namespace cbit::controller
