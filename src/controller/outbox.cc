#include "controller/outbox.h"

#include <spdlog/spdlog.h>

#include "util/clock.h"

namespace cbit::controller {

Outbox::Outbox(OutboxStore& store, queue::Publisher& publisher, Options opts)
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
  // No outcome arrives after this; what is unconfirmed stays for the next run.
  publisher_.Drain(std::chrono::steady_clock::now() + std::chrono::seconds(2));
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

bool Outbox::Publish(const std::vector<OutboxMessage>& msgs, bool wait) {
  if (msgs.empty()) return !broker_down();
  {
    std::lock_guard lock(mu_);
    for (const auto& m : msgs) in_flight_.insert(m.outbox_id);
  }
  // What a waiting caller needs to hear: how many outcomes are due, and
  // whether all were confirmations.
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    std::size_t left;
    bool ok = true;
  };
  auto waiter = wait ? std::make_shared<Waiter>() : nullptr;
  if (waiter) waiter->left = msgs.size();
  for (const auto& m : msgs) {
    publisher_.PublishAsync(m.message, [this, id = m.outbox_id, waiter](bool confirmed) {
      Outcome(id, confirmed);
      if (!waiter) return;
      std::lock_guard lock(waiter->mu);
      waiter->ok = waiter->ok && confirmed;
      if (--waiter->left == 0) waiter->cv.notify_all();
    });
  }
  if (!waiter) return !broker_down();
  std::unique_lock lock(waiter->mu);
  waiter->cv.wait(lock, [&] { return waiter->left == 0; });
  return waiter->ok;
}

void Outbox::Outcome(Id outbox_id, bool confirmed) {
  bool first_failure = false, wake_relay = false;
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(outbox_id);
    // The relay deletes confirmed rows 50 ms after the first of a batch:
    // woken once per batch, not once per message.
    wake_relay = confirmed && confirmed_.empty();
    if (confirmed) confirmed_.push_back(outbox_id);
    first_failure = !confirmed && !broker_down_;
    broker_down_ = !confirmed;
  }
  if (first_failure) spdlog::warn("outbox: a message was not confirmed; the relay will retry");
  if (wake_relay) cv_.notify_all();
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
    if (!Publish(batch, /*wait=*/true)) throw queue::BrokerError("broker unavailable");
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
