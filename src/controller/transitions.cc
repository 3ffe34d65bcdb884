#include "controller/transitions.h"

#include <array>
#include <utility>

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
  return {Verdict::kApply, {}};
}

}  // namespace cbit::controller
