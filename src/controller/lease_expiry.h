// The controller's lease timer (docs/design.md, "Job life cycle"): every
// interval, Controller::ExpireLeases returns the Building jobs whose holder
// went silent to the queue (or fails them after their last attempt).
#pragma once

#include <chrono>

#include "controller/controller.h"
#include "util/periodic.h"

namespace cbit::controller {

class LeaseExpiry {
 public:
  /// The first round comes after one interval; stops at once when
  /// destroyed, even in the middle of a wait.
  LeaseExpiry(Controller& controller, std::chrono::milliseconds interval);

  /// A third of the lease, between 0.2 and 5 s: a job is back in the queue
  /// at most lease + min(5 s, lease / 3) after its holder went silent.
  static std::chrono::milliseconds IntervalFor(const LeasePolicy& policy);

 private:
  void Round();

  Controller& controller_;
  Periodic periodic_;  ///< last: its thread starts once the rest is built
};

}  // namespace cbit::controller
