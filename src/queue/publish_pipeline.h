// Pipelined publishing: messages are sent back to back on one confirmed
// channel and their confirms collected as they come, by one thread, instead
// of one round trip (publish, wait for the confirm) per message. RabbitMQ
// confirms a persistent message after its own fsync and acknowledges several
// at once (`multiple`), so a caller that does not wait for its confirm is
// answered in the time of a send, and the broker's fsyncs are shared.
//
// Each message's outcome reaches its callback, on the pipeline thread:
// true once confirmed; false when it may not have reached the broker (no
// connection, basic.nack, the connection failed or no confirm came within
// the deadline). Messages are sent in the order they were given.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "queue/publish_channel.h"
#include "queue/publisher.h"
#include "util/unique_fd.h"

namespace cbit::queue {

class PublishPipeline {
 public:
  explicit PublishPipeline(const AmqpOptions& opts);
  /// Drains for at most the deadline, then fails what is left.
  ~PublishPipeline();

  void Publish(Message m, Publisher::Done done);
  /// Returns once every message given so far has had its outcome, at the
  /// latest at `deadline`, when the rest are failed.
  void Drain(Clock::time_point deadline);

 private:
  struct Queued {
    Message message;
    Publisher::Done done;
  };
  struct Unconfirmed {
    std::uint64_t tag;
    Publisher::Done done;
    Clock::time_point sent;
  };
  void Loop();
  void SendAll(std::deque<Queued>& batch);
  void ReadConfirms();
  void Confirm(std::uint64_t tag, bool multiple, bool ok);
  void FailUnconfirmed();
  void Finish(Publisher::Done& done, bool ok);
  void WaitForWork();
  void Wake();

  const AmqpOptions opts_;
  PublishChannel channel_;               ///< the pipeline thread's only
  std::deque<Unconfirmed> unconfirmed_;  ///< pipeline thread only, by tag
  Clock::time_point retry_after_{};      ///< no reconnect before, after a failure
  UniqueFd wake_fd_;                     ///< eventfd: work was queued
  bool socket_readable_ = false;         ///< the last poll() saw the broker's socket readable

  std::mutex mu_;
  std::condition_variable idle_cv_;
  std::deque<Queued> queue_;
  std::uint64_t given_ = 0, finished_ = 0;  ///< messages accepted / with an outcome
  Clock::time_point drain_deadline_ = Clock::time_point::max();
  bool stop_ = false;
  bool sleeping_ = false;  ///< in poll(): needs the eventfd to see new work
  std::thread thread_;
};

}  // namespace cbit::queue
