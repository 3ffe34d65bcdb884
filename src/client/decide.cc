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
