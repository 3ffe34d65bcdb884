#include "queue/fake_consumer.h"

#include <set>

namespace cbit::queue {

class FakeBroker::FakeConsumer final : public Consumer {
 public:
  FakeConsumer(FakeBroker& broker, int connection) : b_(broker), connection_(connection) {}

  void DeclareAndBind(const std::string& queue, const std::string& routing_key) override {
    Do("declare " + queue + " " + routing_key);
  }
  void DeclareDelayQueue(const std::string& queue, std::chrono::milliseconds ttl,
                         const std::string& key) override {
    Do("delay " + queue + " " + std::to_string(ttl.count()) + " " + key);
  }
  void Consume(const std::string& queue, int prefetch, PrefetchScope scope) override {
    Do("consume " + queue);
    std::lock_guard lock(b_.mu_);
    acked_.insert(queue);
    prefetch_ = prefetch;
    scope_ = scope;
  }
  void ConsumeAutoAck(const std::string& queue) override {
    Do("consume-auto " + queue);
    std::lock_guard lock(b_.mu_);
    auto_.insert(queue);
  }
  std::optional<Delivery> Next(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(b_.mu_);
    std::optional<Delivery> out;
    b_.cv_.wait_for(lock, timeout, [&] { return Gone() || (out = Take()).has_value(); });
    CheckLocked();
    return out;
  }
  void Ack(std::uint64_t tag) override { Settle(tag, "ack " + std::to_string(tag), false); }
  void Reject(std::uint64_t tag, bool requeue) override {
    Settle(tag, "reject " + std::to_string(tag) + (requeue ? " requeue" : " drop"), requeue);
  }
  std::optional<std::uint32_t> ConsumerCount(const std::string& queue) override {
    std::lock_guard lock(b_.mu_);
    CheckLocked();
    auto it = b_.consumer_counts_.find(queue);
    if (it == b_.consumer_counts_.end()) return std::nullopt;
    return it->second;
  }
  void Cancel() override {
    Do("cancel");
    std::lock_guard lock(b_.mu_);
    acked_.clear();
  }
  bool IsOpen() const override {
    std::lock_guard lock(b_.mu_);
    return !Gone();
  }
  std::string Address() const override { return "fake://broker"; }

 private:
  bool Gone() const { return connection_ < b_.alive_from_; }
  void CheckLocked() const {
    if (Gone()) throw BrokerError("fake broker went away");
  }
  void Do(std::string event) {
    std::lock_guard lock(b_.mu_);
    CheckLocked();
    b_.Record(std::move(event));
  }
  // Unsettled deliveries that count against the prefetch of `queue`.
  int Outstanding(const std::string& queue) const {
    int n = 0;
    for (const auto& [tag, u] : b_.unsettled_)
      n += u.connection == connection_ &&
           (scope_ == PrefetchScope::kChannel || u.delivery.queue == queue);
    return n;
  }
  // The first ready delivery of a queue consumed here, within the prefetch.
  std::optional<Delivery> Take() {
    for (auto it = b_.ready_.begin(); it != b_.ready_.end(); ++it) {
      bool auto_ack = auto_.count(it->queue) > 0;
      if (!auto_ack && (!acked_.count(it->queue) || Outstanding(it->queue) >= prefetch_)) continue;
      Delivery d = std::move(*it);
      b_.ready_.erase(it);
      d.delivery_tag = b_.next_tag_++;
      if (!auto_ack) b_.unsettled_[d.delivery_tag] = {d, connection_};
      return d;
    }
    return std::nullopt;
  }
  void Settle(std::uint64_t tag, std::string event, bool requeue) {
    std::unique_lock lock(b_.mu_);
    CheckLocked();
    if (b_.fail_next_settle_) {
      b_.fail_next_settle_ = false;
      lock.unlock();
      b_.Drop();
      throw BrokerError("fake broker went away while settling");
    }
    b_.Record(std::move(event));
    auto it = b_.unsettled_.find(tag);
    if (it == b_.unsettled_.end() || it->second.connection != connection_) {
      throw BrokerError("unknown delivery tag " + std::to_string(tag));
    }
    if (requeue) {
      it->second.delivery.redelivered = true;
      b_.ready_.push_front(it->second.delivery);
    }
    b_.unsettled_.erase(it);
    b_.cv_.notify_all();
  }

  FakeBroker& b_;
  const int connection_;
  std::set<std::string> acked_, auto_;
  int prefetch_ = 0;
  PrefetchScope scope_ = PrefetchScope::kPerConsumer;
};

std::unique_ptr<Consumer> FakeBroker::Connect() {
  std::lock_guard lock(mu_);
  return std::make_unique<FakeConsumer>(*this, ++connections_);
}

void FakeBroker::Put(const std::string& queue, std::string body,
                     std::map<std::string, std::int64_t> headers) {
  std::lock_guard lock(mu_);
  Delivery d;
  d.queue = queue;
  d.routing_key = queue;
  d.body = std::move(body);
  d.headers = std::move(headers);
  d.delivery_mode = 2;
  if (key_) d.text_headers[kSignatureHeader] = Sign(*key_, d.body);
  ready_.push_back(std::move(d));
  cv_.notify_all();
}

void FakeBroker::SignWith(std::optional<SigningKey> key) {
  std::lock_guard lock(mu_);
  key_ = std::move(key);
}

void FakeBroker::Drop() {
  std::lock_guard lock(mu_);
  alive_from_ = connections_ + 1;
  for (auto& [tag, u] : unsettled_) {
    u.delivery.redelivered = true;
    ready_.push_back(std::move(u.delivery));
  }
  unsettled_.clear();
  Record("drop");
  cv_.notify_all();
}

void FakeBroker::FailNextSettle() {
  std::lock_guard lock(mu_);
  fail_next_settle_ = true;
}

void FakeBroker::SetConsumerCount(const std::string& queue, std::uint32_t n) {
  std::lock_guard lock(mu_);
  consumer_counts_[queue] = n;
}

void FakeBroker::Record(std::string event) {
  events_.push_back(std::move(event));
  cv_.notify_all();
}

std::vector<std::string> FakeBroker::events() {
  std::lock_guard lock(mu_);
  return events_;
}

bool FakeBroker::WaitFor(const std::string& event, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    for (const auto& e : events_)
      if (e == event) return true;
    return false;
  });
}

int FakeBroker::connections() {
  std::lock_guard lock(mu_);
  return connections_;
}

}  // namespace cbit::queue
