// Group commit: concurrent write transactions share one COMMIT, and so one
// fsync. SQLite commits one writer at a time and fsyncs on each COMMIT, so
// without this eight submitters wait in line for eight fsyncs; with it they
// share one. (PostgreSQL groups WAL flushes of concurrent commits itself.)
//
// Each caller's work runs in a SAVEPOINT of the shared transaction: a caller
// whose work throws is rolled back alone and gets its exception; the others
// commit. A failed COMMIT fails every caller of that batch.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "store/db.h"

namespace cbit::store {

class GroupCommitter {
 public:
  /// Starts the committing thread; `max_batch` bounds one transaction.
  GroupCommitter(Database& db, std::size_t max_batch = 64);
  ~GroupCommitter();

  /// Runs `fn` in the next shared transaction and returns once it is
  /// committed; rethrows what `fn` threw, or the commit's DbError.
  void Run(const std::function<void(Connection&)>& fn);

 private:
  struct Item {
    const std::function<void(Connection&)>* fn;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable cv;  ///< wakes this caller only
  };
  void Loop();
  void CommitBatch(std::deque<Item*>& batch);

  Database& db_;
  std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable work_;
  std::deque<Item*> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cbit::store
