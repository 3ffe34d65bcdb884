#include "store/statistics_keeper.h"

#include <spdlog/spdlog.h>

namespace cbit::store {

StatisticsKeeper::StatisticsKeeper(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Loop(); }) {}

StatisticsKeeper::~StatisticsKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StatisticsKeeper::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stop_; })) {
    lock.unlock();
    try {
      for (const auto& table : store_.RefreshStatistics())
        spdlog::debug("store: statistics of {} refreshed", table);
    } catch (const std::exception& e) {
      spdlog::warn("store: refreshing statistics failed: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace cbit::store
