// A Publisher for tests: records what it is given, and can be told to fail
// as a broker that is down.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "queue/publisher.h"

namespace cbit::queue {

class FakePublisher : public Publisher {
 public:
  /// Throws BrokerError while down.
  void Publish(const Message& m) override;
  bool QueueExists(const std::string& queue) override;
  /// The messages sent to an added queue (none are ever taken).
  std::optional<std::uint32_t> QueueDepth(const std::string& queue) override;
  void Ping() override;

  void SetDown(bool down);
  void AddQueue(std::string q);
  /// Every message published so far, in order.
  std::vector<Message> sent();

 private:
  std::mutex mu_;
  bool down_ = false;
  std::vector<Message> sent_;
  std::vector<std::string> queues_;
};

}  // namespace cbit::queue
