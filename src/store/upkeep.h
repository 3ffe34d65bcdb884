// Table upkeep while the controller runs (Store::Upkeep every interval: the
// planner's statistics, the outbox's dead rows), on a thread of its own.
#pragma once

#include <chrono>

#include "store/store.h"
#include "util/periodic.h"

namespace cbit::store {

class Upkeep {
 public:
  /// The first round comes after one interval; stops at once when destroyed,
  /// even in the middle of a wait.
  Upkeep(Store& store, std::chrono::milliseconds interval);

 private:
  void Round();

  Store& store_;
  Periodic periodic_;  ///< last: its thread starts once the rest is built
};

}  // namespace cbit::store
