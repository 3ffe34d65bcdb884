// The lease on the job being built (docs/protocol.md, "Leases"): renewed
// every interval while the job runs. A renewal the controller does not
// answer (unreachable, 5xx) is tried again at the next tick; a 409 means
// the controller gave the job to the queue again (the client was silent for
// longer than the lease) or to another client: the lease is lost, and the
// build must stop without reporting anything more.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

#include "client/controller_api.h"
#include "util/periodic.h"

namespace cbit::client {

class JobLease {
 public:
  JobLease(ControllerApi& api, Id job, std::string client, std::chrono::milliseconds interval);

  /// The controller refused a renewal (409).
  bool lost() const { return lost_; }
  /// Why, once lost.
  std::string why() const;
  /// Renews now, on the caller's thread: false when the lease is lost. A
  /// controller that cannot be reached leaves the lease as it was.
  bool Check();
  /// Renews soon on the renewal thread (another call heard 409).
  void Poke() { renewer_.Poke(); }
  /// No more renewals (the job ends).
  void Stop() { renewer_.Stop(); }

 private:
  void Renew();

  ControllerApi& api_;
  const Id job_;
  const std::string client_;
  std::atomic<bool> lost_{false};
  mutable std::mutex mu_;
  std::string why_;
  Periodic renewer_;  ///< last: its thread starts once the rest is built
};

}  // namespace cbit::client
