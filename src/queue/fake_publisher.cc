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
