#include "client/decide.h"

#include "core/model.h"

namespace cbit::client {

// A request for a job that is Building somewhere is either a duplicate
// (the controller publishes at least once) or the broker handing back the
// request of a client whose connection died. Only the second may need us:
// its builder may be gone for good (killed), or may merely have lost the
// broker and still be building. A builder whose command queue has a consumer
// is alive; one without may be reconnecting, so the first sighting is
// deferred and the job is taken over only if it is still Building by a
// silent client after a delay. A request Building by our own name while we
// do not build it is left over from an earlier run of this client.
Action Decide(const RequestFacts& f, std::string_view self) {
  if (!f.state) return Action::kDrop;
  const std::string& status = f.state->status;
  if (status == status::kWaiting || status == status::kBlocked) return Action::kBuild;
  if (status != status::kBuilding) return Action::kDrop;
  if (!f.redelivered && f.deferrals == 0) return Action::kDrop;
  if (f.state->buildclient && *f.state->buildclient == self) return Action::kBuild;
  if (f.builder_alive || f.deferrals == 0) return Action::kDefer;
  return Action::kBuild;
}

namespace {

// At most the controller's limit, cut before a UTF-8 continuation byte.
std::string Bounded(std::string reason) {
  if (reason.size() <= status::kMaxReasonBytes) return reason;
  std::size_t end = status::kMaxReasonBytes;
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  reason.resize(end);
  return reason;
}

}  // namespace

JobEnding EndingFor(const StepResult& r, bool handed_back, int retries_done,
                    const InfraRetryPolicy& policy) {
  JobEnding e;
  if (r.outcome == Outcome::kCancelled && handed_back) {
    e.status = status::kWaiting;
    e.settle = Settle::kRequeue;
    return e;
  }
  e.status = JobStatusFor(r.outcome);
  if (r.outcome == Outcome::kDependencyWait) e.settle = Settle::kRetryLater;
  if (e.status != status::kFailed) return e;
  FailureClass c = ClassOf(r);
  // The class and the counts come first, so a long detail cut to the
  // controller's limit loses only its end.
  std::string detail = r.detail;
  e.reason = std::string(FailureClassName(c)) + ": ";
  if (!Retryable(c)) {
    e.reason = Bounded(e.reason + detail);
    return e;
  }
  if (retries_done >= policy.retries) {
    e.reason =
        Bounded(e.reason + "failed after " + std::to_string(retries_done) + " retries: " + detail);
    return e;
  }
  int retry = retries_done + 1;
  e.status = status::kWaiting;
  e.settle = Settle::kRetryInfra;
  e.delay = RetryDelay(retry, policy.base, policy.max);
  e.reason = Bounded(e.reason + "retry " + std::to_string(retry) + " of " +
                     std::to_string(policy.retries) + " in " + std::to_string(e.delay.count()) +
                     " s: " + detail);
  return e;
}

std::chrono::seconds RetryDelay(int attempt, std::chrono::seconds base, std::chrono::seconds max) {
  std::chrono::seconds d = base;
  for (int i = 1; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

std::vector<std::chrono::seconds> RetryDelays(std::chrono::seconds base, std::chrono::seconds max) {
  std::vector<std::chrono::seconds> out;
  for (int attempt = 1; out.empty() || out.back() < max; ++attempt) {
    out.push_back(RetryDelay(attempt, base, max));
  }
  return out;
}

std::string DelayQueueName(std::chrono::seconds delay, const std::string& queue) {
  return "cbit_retry_" + std::to_string(delay.count()) + "s_" + queue;
}

}  // namespace cbit::client
