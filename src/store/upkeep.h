// Table upkeep while the controller runs (Store::Upkeep every interval: the
// planner's statistics, the outbox's dead rows), on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace cbit::store {

class Upkeep {
 public:
  Upkeep(Store& store, std::chrono::milliseconds interval);
  /// Stops at once, even in the middle of a wait.
  ~Upkeep();

 private:
  void Loop();

  Store& store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cbit::store
