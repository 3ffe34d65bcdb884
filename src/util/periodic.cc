#include "util/periodic.h"

namespace cbit {

Periodic::Periodic(std::chrono::milliseconds interval, std::function<void()> fn, First first)
    : interval_(interval),
      fn_(std::move(fn)),
      waited_(first == First::kAtOnce),
      thread_([this] { Loop(); }) {}

Periodic::~Periodic() { Stop(); }

void Periodic::Poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void Periodic::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Periodic::Loop() {
  std::unique_lock lock(mu_);
  if (!waited_) cv_.wait_for(lock, interval_, [&] { return stop_ || poked_; });
  while (!stop_) {
    poked_ = false;
    lock.unlock();
    fn_();
    lock.lock();
    cv_.wait_for(lock, interval_, [&] { return stop_ || poked_; });
  }
}

}  // namespace cbit
