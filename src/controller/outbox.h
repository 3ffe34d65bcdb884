// The outbox: how a job is never lost between the database and the broker.
//
// A submission records its messages in the `outbox` table in the same
// transaction as the jobs, then hands them to the publisher, which sends them
// at once and collects the broker's confirms as they come (pipelined; the
// request may wait for them or not, Controller::Options::wait_for_confirm).
// A confirmed message's row is deleted (in batches, off the request path).
// Whatever stays in the table — the broker was down or refused, no confirm
// came, or the controller died between commit and confirm — is published
// again by the relay thread: at start-up, and every second while rows older
// than a grace period remain.
// Delivery is therefore at least once; clients drop a request whose job is no
// longer Waiting or Blocked, which makes a duplicate harmless.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "controller/job_store.h"
#include "queue/publisher.h"

namespace cbit::controller {

struct OutboxMessage {
  Id outbox_id = 0;
  queue::Message message;
};

class Outbox {
 public:
  struct Options {
    /// Rows younger than this belong to a request thread still publishing them.
    std::chrono::milliseconds grace{2000};
    std::chrono::milliseconds scan_interval{1000};
    std::chrono::milliseconds max_backoff{4000};
  };
  Outbox(OutboxStore& store, queue::Publisher& publisher, Options opts);
  Outbox(OutboxStore& store, queue::Publisher& publisher) : Outbox(store, publisher, Options{}) {}
  ~Outbox();

  /// Starts the relay thread; its first pass re-publishes every row left by
  /// an earlier run.
  void Start();
  /// Stops the relay after a last flush of confirmed deletions.
  void Stop();

  /// Publishes freshly committed messages in order. With `wait`, returns
  /// once all are confirmed (true) or one is not (false). Without, returns
  /// at once: false when the last outcome heard from the broker was a
  /// failure. Whatever is not confirmed is left to the relay.
  bool Publish(const std::vector<OutboxMessage>& msgs, bool wait);

  /// One relay pass, for tests: flush deletions, re-publish what is pending.
  /// Returns the number of messages re-published.
  int RelayOnce(bool include_recent);

  /// True while the last publish attempt failed.
  bool broker_down() const;

 private:
  void Loop();
  void FlushConfirmed();
  void Outcome(Id outbox_id, bool confirmed);

  OutboxStore& store_;
  queue::Publisher& publisher_;
  Options opts_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Id> confirmed_;  ///< rows to delete
  std::set<Id> in_flight_;     ///< rows handed to the publisher, outcome not heard yet
  bool broker_down_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cbit::controller
