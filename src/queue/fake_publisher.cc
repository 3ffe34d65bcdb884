#include "queue/fake_publisher.h"

#include <algorithm>

namespace cbit::queue {

void FakePublisher::Publish(const Message& m) {
  std::lock_guard lock(mu_);
  if (down_) throw BrokerError("fake broker is down");
  sent_.push_back(m);
}

bool FakePublisher::QueueExists(const std::string& queue) {
  std::lock_guard lock(mu_);
  return std::find(queues_.begin(), queues_.end(), queue) != queues_.end();
}

std::optional<std::uint32_t> FakePublisher::QueueDepth(const std::string& queue) {
  std::lock_guard lock(mu_);
  if (down_) throw BrokerError("fake broker is down");
  if (std::find(queues_.begin(), queues_.end(), queue) == queues_.end()) return std::nullopt;
  return static_cast<std::uint32_t>(std::count_if(
      sent_.begin(), sent_.end(), [&](const Message& m) { return m.queue == queue; }));
}

void FakePublisher::Ping() {
  std::lock_guard lock(mu_);
  if (down_) throw BrokerError("fake broker is down");
}

void FakePublisher::SetDown(bool down) {
  std::lock_guard lock(mu_);
  down_ = down;
}

void FakePublisher::AddQueue(std::string q) {
  std::lock_guard lock(mu_);
  queues_.push_back(std::move(q));
}

std::vector<Message> FakePublisher::sent() {
  std::lock_guard lock(mu_);
  return sent_;
}

}  // namespace cbit::queue
