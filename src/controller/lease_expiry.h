// The controller's lease timer (docs/design.md, "Job life cycle"): every
// interval, Controller::ExpireLeases returns the Building jobs whose holder
// went silent to the queue (or fails them after their last attempt).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "controller/controller.h"

namespace cbit::controller {

class LeaseExpiry {
 public:
  LeaseExpiry(Controller& controller, std::chrono::milliseconds interval);
  /// Stops at once, even in the middle of a wait.
  ~LeaseExpiry();
  LeaseExpiry(const LeaseExpiry&) = delete;
  LeaseExpiry& operator=(const LeaseExpiry&) = delete;

  /// A third of the lease, between 0.2 and 5 s: a job is back in the queue
  /// at most lease + min(5 s, lease / 3) after its holder went silent.
  static std::chrono::milliseconds IntervalFor(const LeasePolicy& policy);

 private:
  void Loop();

  Controller& controller_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cbit::controller
