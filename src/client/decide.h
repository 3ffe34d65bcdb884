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
#include "client/outcome.h"

namespace cbit::client {

/// AMQP headers the client sets when it publishes a request again.
inline constexpr const char* kAttemptHeader = "x-cbit-attempt";    ///< dependency waits so far
inline constexpr const char* kDeferredHeader = "x-cbit-deferred";  ///< deferrals so far
/// Retries so far of failures of the build machine (FailureClass, Retryable).
inline constexpr const char* kInfraRetryHeader = "x-cbit-infra-retry";

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

/// How the daemon should settle a finished job's delivery.
enum class Settle {
  kAck,         ///< finished and reported (Done, Failed, Cancelled)
  kRetryLater,  ///< reported Blocked: publish again after a delay, then acknowledge
  kRetryInfra,  ///< the build machine failed, reported Waiting: publish again after a delay
  kDefer,       ///< Building could not be reported: try again after a delay
  kRequeue,     ///< interrupted by shutdown and reported Waiting: hand it back
};

/// How the retries of failures of the build machine go.
struct InfraRetryPolicy {
  int retries = 3;  ///< infra_retries: at most this many, then the job fails
  std::chrono::seconds base{30}, max{3600};  ///< the delays, as RetryDelay's
};

/// How a job whose steps ended with `r` ends.
struct JobEnding {
  std::string status;  ///< reported to the controller
  std::string reason;  ///< recorded in the job's history; empty: none
  Settle settle = Settle::kAck;
  std::chrono::seconds delay{0};  ///< kRetryInfra: before the request comes back
};

/// Built → Done; dependency wait → Blocked; cancelled → Cancelled, or
/// Waiting and handed back when `handed_back` (the client stops). A failure
/// of a retryable class (outcome.h, Retryable) with fewer than
/// `policy.retries` retries so far → Waiting, published again after
/// RetryDelay(retries_done + 1); any other failure, or one out of retries →
/// Failed. The reason names the failure class first: "timeout: …".
JobEnding EndingFor(const StepResult& r, bool handed_back, int retries_done,
                    const InfraRetryPolicy& policy);

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
