// The connection pool both backends share: connections are opened lazily up
// to a limit, handed out one per lease, and checked before going back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "store/db.h"

namespace cbit::store {

/// Up to `size` connections of one database, shared by threads.
class ConnectionPool {
 public:
  /// `open` makes a new connection (throws DbError); `reusable` says whether
  /// a returned connection may serve another lease.
  ConnectionPool(int size, std::chrono::milliseconds wait,
                 std::function<std::unique_ptr<Connection>()> open,
                 std::function<bool(Connection&)> reusable);
  ~ConnectionPool();

  /// Waits up to `wait` for a free slot; throws DbError(kUnavailable) then.
  Database::Lease Acquire(Database* owner);
  /// Takes a connection back, or drops it when it is not reusable.
  void Release(std::unique_ptr<Connection> c);
  /// Counts since the pool was made (GET /metrics).
  PoolStats stats() const;

  /// Shared with every connection handed out, so a connection dropped by
  /// Lease::Discard still frees its slot.
  struct Slots {
    std::mutex mu;
    std::condition_variable freed;
    int open = 0;  ///< live connections, idle or leased
  };

 private:
  const int size_;
  const std::chrono::milliseconds wait_;
  std::function<std::unique_ptr<Connection>()> open_;
  std::function<bool(Connection&)> reusable_;
  std::shared_ptr<Slots> slots_ = std::make_shared<Slots>();
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by slots_->mu
  PoolStats stats_;                                // guarded by slots_->mu
};

}  // namespace cbit::store
