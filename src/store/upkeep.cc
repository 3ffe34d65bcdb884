#include "store/upkeep.h"

#include <spdlog/spdlog.h>

namespace cbit::store {

Upkeep::Upkeep(Store& store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Loop(); }) {}

Upkeep::~Upkeep() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Upkeep::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [&] { return stop_; })) {
    lock.unlock();
    try {
      for (const auto& done : store_.Upkeep()) spdlog::debug("store: {}", done);
    } catch (const std::exception& e) {
      spdlog::warn("store: table upkeep failed: {}", e.what());
    }
    lock.lock();
  }
}

}  // namespace cbit::store
