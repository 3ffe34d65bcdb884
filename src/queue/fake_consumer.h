// A broker in memory for unit tests of what consumes (the build client's
// daemon): messages put in its queues are handed to the consumers that
// consume them, within their prefetch (per queue, or per connection with
// PrefetchScope::kChannel), and every declare, consume, settle and cancel is
// recorded.
// It can go away, as a broker restart does: open consumers fail from their
// next call, and their unsettled deliveries become ready again, redelivered.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "queue/consumer.h"
#include "queue/signing.h"

namespace cbit::queue {

class FakeBroker {
 public:
  /// A consumer on this broker (Daemon::Connect).
  std::unique_ptr<Consumer> Connect();
  /// Puts a message in `queue`, signed with the key of SignWith if any.
  void Put(const std::string& queue, std::string body,
           std::map<std::string, std::int64_t> headers = {});
  /// The key messages Put from now on are signed with (as the controller
  /// signs them); nullopt: unsigned.
  void SignWith(std::optional<SigningKey> key);
  /// The broker restarts: every open consumer fails.
  void Drop();
  /// The next Ack or Reject finds the broker gone (as Drop) and throws.
  void FailNextSettle();
  /// The answer to ConsumerCount for `queue`.
  void SetConsumerCount(const std::string& queue, std::uint32_t n);

  /// What consumers did, in order: "declare <queue> <key>", "delay <queue>
  /// <ms> <key>", "consume <queue>", "consume-auto <queue>", "ack <tag>",
  /// "reject <tag> requeue", "reject <tag> drop", "cancel", and "drop" when
  /// the broker goes away. Tags count the
  /// deliveries handed out, from 1.
  std::vector<std::string> events();
  /// Waits until `event` has happened; false after `timeout`.
  bool WaitFor(const std::string& event,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Connections made so far.
  int connections();

 private:
  class FakeConsumer;
  struct Unsettled {
    Delivery delivery;
    int connection = 0;
  };
  void Record(std::string event);

  std::mutex mu_;
  std::optional<SigningKey> key_;
  std::condition_variable cv_;
  std::deque<Delivery> ready_;
  std::map<std::uint64_t, Unsettled> unsettled_;
  std::map<std::string, std::uint32_t> consumer_counts_;
  std::vector<std::string> events_;
  std::uint64_t next_tag_ = 1;
  bool fail_next_settle_ = false;
  int connections_ = 0;
  int alive_from_ = 1;  ///< connections before this one are gone
};

}  // namespace cbit::queue
