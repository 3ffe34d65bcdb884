#include "controller/outbox.h"

#include <spdlog/spdlog.h>

#include "util/clock.h"

namespace cbit::controller {

Outbox::Outbox(store::Store& store, queue::Publisher& publisher, Options opts)
    : store_(store), publisher_(publisher), opts_(opts) {}

Outbox::~Outbox() { Stop(); }

void Outbox::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Outbox::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  try {
    FlushConfirmed();
  } catch (const std::exception& e) {
    spdlog::warn("outbox: final flush failed: {}", e.what());
  }
}

bool Outbox::broker_down() const {
  std::lock_guard lock(mu_);
  return broker_down_;
}

bool Outbox::Publish(const std::vector<OutboxMessage>& msgs) {
  {
    std::lock_guard lock(mu_);
    for (const auto& m : msgs) in_flight_.insert(m.outbox_id);
  }
  std::size_t done = 0;
  bool ok = true;
  try {
    for (const auto& m : msgs) {
      publisher_.Publish(m.message);
      ++done;
    }
  } catch (const queue::BrokerError& e) {
    spdlog::warn("outbox: publish failed, the relay will retry: {}", e.what());
    ok = false;
  }
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      in_flight_.erase(msgs[i].outbox_id);
      if (i < done) confirmed_.push_back(msgs[i].outbox_id);
    }
    broker_down_ = !ok;
  }
  cv_.notify_all();
  return ok;
}

void Outbox::FlushConfirmed() {
  std::vector<Id> ids;
  {
    std::lock_guard lock(mu_);
    ids.swap(confirmed_);
  }
  if (ids.empty()) return;
  try {
    store_.DeleteOutbox(ids);
  } catch (...) {
    // Keep them for the next pass; a row left behind is published twice at
    // worst, never lost.
    std::lock_guard lock(mu_);
    confirmed_.insert(confirmed_.end(), ids.begin(), ids.end());
    throw;
  }
}

int Outbox::RelayOnce(bool include_recent) {
  FlushConfirmed();
  std::int64_t before = include_recent ? INT64_MAX : NowMicros() - opts_.grace.count() * 1000;
  int published = 0;
  for (;;) {
    auto rows = store_.PendingOutbox(before, 500);
    std::vector<OutboxMessage> batch;
    {
      std::lock_guard lock(mu_);
      for (auto& r : rows) {
        if (in_flight_.count(r.id)) continue;
        batch.push_back({r.id, {r.routing_key, r.queue, r.body}});
      }
    }
    if (batch.empty()) break;
    if (!Publish(batch)) throw queue::BrokerError("broker unavailable");
    published += static_cast<int>(batch.size());
    FlushConfirmed();
    if (rows.size() < 500) break;
  }
  return published;
}

void Outbox::Loop() {
  bool first = true;
  auto backoff = opts_.scan_interval;
  auto next_scan = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stop_) {
    auto wake = confirmed_.empty()
                    ? next_scan
                    : std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    cv_.wait_until(lock, std::min(wake, next_scan), [&] { return stop_; });
    if (stop_) break;
    lock.unlock();
    bool scan = std::chrono::steady_clock::now() >= next_scan;
    try {
      if (scan) {
        int n = RelayOnce(first);
        if (n > 0) spdlog::info("outbox: re-published {} message(s)", n);
        first = false;
        backoff = opts_.scan_interval;
      } else {
        FlushConfirmed();
      }
    } catch (const std::exception& e) {
      spdlog::warn("outbox: relay pass failed: {}", e.what());
      backoff = std::min(backoff * 2, opts_.max_backoff);
    }
    if (scan) next_scan = std::chrono::steady_clock::now() + backoff;
    lock.lock();
  }
}

}  // namespace cbit::controller
