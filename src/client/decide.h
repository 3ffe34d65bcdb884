// The daemon's decisions, kept free of I/O so they are unit-tested on their
// own: what to do with a build request given the job's status, how long a
// dependency wait sleeps before the next try, and where it sleeps.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/controller_api.h"

namespace cbit::client {

/// AMQP headers the client sets when it publishes a request again.
inline constexpr const char* kAttemptHeader = "x-cbit-attempt";    ///< dependency waits so far
inline constexpr const char* kDeferredHeader = "x-cbit-deferred";  ///< deferrals so far

/// What to do with a build request.
enum class Action {
  kBuild,  ///< build it now
  kDrop,   ///< acknowledge and forget it: the job needs no build from us
  kDefer,  ///< publish it again through the shortest delay queue, then acknowledge
};

/// What the daemon knows about a request when it arrives.
struct RequestFacts {
  std::optional<JobState> state;  ///< nullopt: the controller does not know the job
  bool redelivered = false;       ///< the broker delivered it before
  int deferrals = 0;              ///< the x-cbit-deferred header
  bool builder_alive = false;     ///< the Building client's command queue has a consumer
};

/// Waiting or Blocked: build. Building: see the comment in decide.cc.
/// Anything else (Done, Failed, Cancelled, unknown job): drop.
Action Decide(const RequestFacts& f, std::string_view self);

/// The delay before the `attempt`th retry (1-based) of a dependency wait:
/// base, 2·base, 4·base, … capped at `max`.
std::chrono::seconds RetryDelay(int attempt, std::chrono::seconds base, std::chrono::seconds max);

/// Every distinct delay RetryDelay can answer, shortest first.
std::vector<std::chrono::seconds> RetryDelays(std::chrono::seconds base, std::chrono::seconds max);

/// The delay queue in front of build queue `queue`: "cbit_retry_<seconds>s_<queue>".
std::string DelayQueueName(std::chrono::seconds delay, const std::string& queue);

}  // namespace cbit::client
